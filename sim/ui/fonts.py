"""A CJK font for Chinese figures, shipped by a registry package, never looked up on the system.

Matplotlib's default font has no Chinese glyphs (they come out as boxes), and a planner's machine may
have none either, so Chinese figures use Noto Sans CJK SC (SIL Open Font License) from the `mplfonts`
package's data: installed with ruralsim, read from disk, no network at run time. The package also
carries other fonts (SimHei among them, whose licence is not open); only Noto Sans CJK SC is used.
Latin text falls back to DejaVu Sans, matplotlib's own.
"""

import importlib.util
from functools import cache
from pathlib import Path

CJK_FILE = "NotoSansCJKsc-Regular.otf"


@cache
def cjk_font_path() -> Path:
    """The font file inside the installed mplfonts package (found without importing it: its import pulls in
    helpers we do not use)."""
    spec = importlib.util.find_spec("mplfonts")
    package = Path(spec.submodule_search_locations[0]) if spec else Path("mplfonts")
    path = package / "fonts" / CJK_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path}: the CJK font is missing; reinstall ruralsim (it depends on mplfonts)")
    return path


@cache
def cjk_family() -> str:
    """Register the CJK font with matplotlib (once) and return its family name."""
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def rc(lang: str) -> dict:
    """matplotlib rc settings for figures in `lang` ({} for English: the default style)."""
    if lang != "zh":
        return {}
    # concrete family names, not the generic 'sans-serif': a text keeps its family list from creation, so a
    # figure saved after the settings are gone still draws Chinese (the dashboard saves from other threads)
    return {"font.family": [cjk_family(), "DejaVu Sans"], "axes.unicode_minus": False}
