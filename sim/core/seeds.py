"""The seed statistics (seeds/statistics.toml) as validated data; region profiles and targets read them."""

import tomllib
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InputError

SEEDS_FILE = Path(__file__).resolve().parents[2] / "seeds" / "statistics.toml"
SEED_DOCUMENTS = {
    "000_319fdd0acca0fa0b.txt",
    "001_c23c8de74b03ebd3.txt",
    "002_88959e36fcc7a263.txt",
    "003_cde74bc6e72a2f02.txt",
    "004_a3b00d68933cdba4.txt",
}


class Statistic(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    value: float
    unit: str = Field(min_length=1)
    year: int = Field(ge=2000, le=2035)
    period: str | None = None
    place: str = Field(min_length=1)
    seed: str
    context: str = Field(min_length=10, max_length=200)


def parse_statistics(text: str, path: Path | str = "statistics.toml") -> dict[str, Statistic]:
    """Validate the statistics file; any malformed entry is an InputError naming it."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    entries = raw.get("statistic")
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{path}: expected a list of [[statistic]] tables")
    stats: dict[str, Statistic] = {}
    for index, entry in enumerate(entries):
        label, stat = _validated(Statistic, entry, index, "statistic", path)
        if stat.seed not in SEED_DOCUMENTS:
            raise InputError(
                f"{path}: statistic '{label}', key 'seed': unknown seed document '{stat.seed}' "
                f"(allowed: {', '.join(sorted(SEED_DOCUMENTS))})"
            )
        if stat.id in stats:
            raise InputError(f"{path}: statistic '{label}' is defined twice")
        stats[stat.id] = stat
    return stats


def _validated(model: type[BaseModel], entry, index: int, kind: str, path) -> tuple[str, BaseModel]:
    """One [[statistic]] or [[figure]] entry validated; an InputError names the entry and the key."""
    label = entry.get("id", f"entry {index + 1}") if isinstance(entry, dict) else f"entry {index + 1}"
    try:
        return label, model.model_validate(entry)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "entry"
        raise InputError(f"{path}: {kind} '{label}', key '{key}': {err['msg']}") from None


@cache
def statistics(path: Path = SEEDS_FILE) -> dict[str, Statistic]:
    if not path.exists():
        raise InputError(f"{path}: seed statistics file not found")
    return parse_statistics(path.read_text(encoding="utf-8"), path)


def value(stat_id: str) -> float:
    """The value of one seed statistic, by id."""
    return statistics()[stat_id].value


# --- public figures beyond the seeds (seeds/public.toml): targets and validation references ---------------
PUBLIC_FILE = SEEDS_FILE.parent / "public.toml"


class PublicFigure(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    value: float
    unit: str = Field(min_length=1)
    year: int = Field(ge=2000, le=2035)
    place: str = Field(min_length=1)
    source: str = Field(min_length=10)
    confidence: str = Field(pattern=r"^(high|medium|low)$")
    kind: str = Field(pattern=r"^(observed|derived)$")
    context: str = Field(min_length=10, max_length=200)


@cache
def public_figures(path: Path = PUBLIC_FILE) -> dict[str, PublicFigure]:
    """The public figures, validated; an InputError names the entry and key that is wrong."""
    if not path.exists():
        raise InputError(f"{path}: public figures file not found")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    figures: dict[str, PublicFigure] = {}
    for index, entry in enumerate(raw.get("figure", [])):
        label, figure = _validated(PublicFigure, entry, index, "figure", path)
        if figure.id in figures or figure.id in statistics():
            raise InputError(f"{path}: figure '{label}' is defined twice (or is a seed statistic)")
        figures[figure.id] = figure
    return figures
