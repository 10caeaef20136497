"""Serve the dashboard with Solara's own server, offline.

Solara fetches its JavaScript from a CDN unless `solara-assets` is installed, checks PyPI for a newer
version and sends telemetry; all three are switched off or served locally here so the page works on
a machine without internet. Region and scale reach the page (sim/ui/app.py) through the environment,
which also works under `solara run`.
"""

import errno
import os
import socket
import warnings

from ...core.errors import InputError
from ...core.regions import PROFILES
from . import INSTALL_HINT, REGION_ENV, SCALE_ENV

OFFLINE_ENV = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SOLARA_ASSETS_PROXY": "True"}


def check_installed() -> None:
    """The extra's packages, or one line saying how to install them."""
    import importlib.util

    missing = [m for m in ("solara", "solara_assets", "networkx", "ipyvuetify") if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(f"{INSTALL_HINT} (missing: {', '.join(missing)})")


def check_port(host: str, port: int) -> None:
    """One line and exit code 2 when the port is taken or the address cannot be used."""
    if port == 0:
        return
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
            probe.bind((host, port))
    except socket.gaierror:
        raise InputError(f"--host {host}: unknown address; use localhost or this machine's name or address") from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise InputError(f"--port {port}: already in use on {host} (another dashboard?); choose another "
                             "--port, or --port 0 for a free one") from None
        raise InputError(f"--port {port}: cannot listen on {host} ({exc.strerror}); choose another --port "
                         "or --host") from None


def serve(*, port: int = 8765, host: str = "localhost", region: str = "xinzhou", scale: float | None = None,
          open_browser: bool = False) -> int:
    if region not in PROFILES:
        raise InputError(f"--region: unknown region '{region}'; allowed: {', '.join(PROFILES)}")
    if scale is not None and not 0.0 < scale <= 1.0:
        raise InputError(f"--scale: must be in (0, 1] (got {scale})")
    if not 0 <= port <= 65535:
        raise InputError(f"--port: must be in [0, 65535] (got {port}; 0 picks a free port)")
    if scale is not None:
        from ...core.regions import check_scale
        from ...core.scenario import default_scenario

        check_scale(default_scenario().model_copy(update={"run": default_scenario().run.model_copy(
            update={"region": region, "scale": scale})}), "--scale")
    check_installed()
    check_port(host, port)
    # the frameworks' own warnings (deprecations, rules-of-hooks checks) are for their developers, not
    # for a planner's terminal; the server logs only warnings of its own (uvicorn at level "warning")
    warnings.filterwarnings("ignore")
    os.environ["PYTHONWARNINGS"] = "ignore"
    os.environ.update(OFFLINE_ENV)
    os.environ[REGION_ENV] = region
    if scale is not None:
        os.environ[SCALE_ENV] = repr(scale)
    from solara.__main__ import run  # after the environment: Solara reads its settings on import

    args = ["sim.ui.app", "--port", str(port), "--host", host, "--production", "--no-check-version",
            "--open" if open_browser else "--no-open", "--log-level-uvicorn", "warning"]
    run.main(args=args, prog_name="ruralsim dashboard", standalone_mode=False)
    return 0
