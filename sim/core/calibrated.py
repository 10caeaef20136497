"""The calibrated defaults: `calibration/calibrated.toml`, written by `ruralsim calibrate`, overlaid on
every scenario.

The file is a scenario-shaped table of the calibrated parameters plus `[provenance]`. Every scenario
takes those values for the parameters it leaves out (a scenario that sets one wins); the schema
defaults stay the priors' reference values. `RURALSIM_CALIBRATED=0` (or `validate(...,
calibrated=False)`) switches the overlay off; `RURALSIM_CALIBRATED=path` reads another file. Light on
purpose: `sim.core.scenario` imports it for every scenario it validates."""

import os
import tomllib
from functools import cache
from pathlib import Path

from .errors import InputError


ROOT = Path(__file__).resolve().parents[2]
CALIBRATION_DIR = ROOT / "calibration"
CALIBRATED_FILE = CALIBRATION_DIR / "calibrated.toml"
ENV = "RURALSIM_CALIBRATED"
_OFF = {"0", "off", "false", "no", "none", ""}


def calibrated_path() -> Path | None:
    """The calibrated-values file in force, or None when the overlay is off or there is no file."""
    setting = os.environ.get(ENV)
    if setting is not None and setting.strip().lower() in _OFF:
        return None
    path = Path(setting) if setting else CALIBRATED_FILE
    return path if path.is_file() else None


def calibration_key():
    """Changes whenever the overlay in force changes (for caches of scenarios)."""
    path = calibrated_path()
    if path is None:
        return None
    stat = path.stat()
    return (str(path), stat.st_mtime_ns, stat.st_size)


@cache
def _read(path: str, _mtime: int, _size: int) -> tuple[dict, dict]:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read calibrated values ({exc.__class__.__name__}: {exc})") from None
    provenance = raw.pop("provenance", {})
    if not all(isinstance(v, dict) for v in raw.values()):
        raise InputError(f"{path}: calibrated values must be tables of scenario sections ([pv], [income], ...)")
    return raw, provenance


def calibrated_values(enabled: bool | None = None) -> tuple[dict, dict]:
    """(sections {section: {parameter: value}}, provenance) of the overlay in force; empty when off."""
    if enabled is False:
        return {}, {}
    key = calibration_key()
    if key is None:
        return {}, {}
    return _read(*key)


def overlay_calibrated(data: dict, enabled: bool | None = None) -> dict:
    """Scenario data with the calibrated values filled in where it leaves a parameter out."""
    sections, _ = calibrated_values(enabled)
    if not sections or not isinstance(data, dict):
        return data
    out = dict(data)
    for section, values in sections.items():
        given = out.get(section, {})
        if isinstance(given, dict):
            out[section] = {**values, **given}
    return out


def calibration_record(scenario) -> dict:
    """For a run's manifest: the calibrated values in force, their provenance, and what the run used."""
    sections, provenance = calibrated_values()
    if not sections:
        return {"applied": False, "reason": "no calibrated.toml" if os.environ.get(ENV, "x").strip().lower()
                not in _OFF else f"{ENV} switches it off"}
    values = {}
    for section, params in sections.items():
        for name, value in params.items():
            used = getattr(getattr(scenario, section, None), name, None)
            values[f"{section}.{name}"] = {"calibrated": value, "used": used,
                                           "overridden_by_scenario": used != value}
    return {"applied": True, "file": str(calibrated_path()), "provenance": provenance, "values": values}
