"""Serve the dashboard with Solara's own server, offline.

Solara fetches its JavaScript from a CDN unless `solara-assets` is installed, checks PyPI for a newer
version and sends telemetry; all three are switched off or served locally here so the page works on
a machine without internet. Region and scale reach the page (sim/app.py) through the environment,
which also works under `solara run`.
"""

import os

from ..errors import InputError
from ..regions import PROFILES
from . import INSTALL_HINT, REGION_ENV, SCALE_ENV

OFFLINE_ENV = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SOLARA_ASSETS_PROXY": "True"}


def check_installed() -> None:
    """The extra's packages, or one line saying how to install them."""
    import importlib.util

    missing = [m for m in ("solara", "solara_assets", "networkx", "ipyvuetify") if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(f"{INSTALL_HINT} (missing: {', '.join(missing)})")


def serve(*, port: int = 8765, host: str = "localhost", region: str = "xinzhou", scale: float | None = None,
          open_browser: bool = False) -> int:
    if region not in PROFILES:
        raise InputError(f"--region: unknown region '{region}'; allowed: {', '.join(PROFILES)}")
    if scale is not None and not 0.0 < scale <= 1.0:
        raise InputError(f"--scale: must be in (0, 1] (got {scale})")
    if not 0 <= port <= 65535:
        raise InputError(f"--port: must be in [0, 65535] (got {port}; 0 picks a free port)")
    check_installed()
    os.environ.update(OFFLINE_ENV)
    os.environ[REGION_ENV] = region
    if scale is not None:
        os.environ[SCALE_ENV] = repr(scale)
    from solara.__main__ import run  # after the environment: Solara reads its settings on import

    args = ["sim.app", "--port", str(port), "--host", host, "--production", "--no-check-version",
            "--open" if open_browser else "--no-open", "--log-level-uvicorn", "warning"]
    run.main(args=args, prog_name="ruralsim dashboard", standalone_mode=False)
    return 0
