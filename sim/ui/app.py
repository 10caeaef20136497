"""The dashboard app for Solara: `ruralsim dashboard` serves `Page` (or `solara run sim.ui.app`).

The page itself lives in sim/ui/dashboard/ (levers, model with baseline, panels, page); this module is
the stable entry point Solara imports. Needs the optional extra: `pip install -e '.[dashboard]'`.
"""

from .dashboard.page import Page

__all__ = ["Page"]
