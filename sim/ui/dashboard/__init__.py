"""The planners' browser dashboard (`ruralsim dashboard`), built on Mesa's SolaraViz.

levers.py (the controls and the scenario parameters they set) and model.py (the model with its
baseline) need only the core dependencies; page.py (the Solara page) and serve.py (the server) need
the optional extra: `pip install -e '.[dashboard]'`. See docs/dashboard.md.
"""

INSTALL_HINT = "the dashboard needs the optional extra: .venv/bin/python -m pip install -e '.[dashboard]'"
# how `ruralsim dashboard` hands region and scale to the page Solara imports (sim/ui/app.py)
REGION_ENV, SCALE_ENV = "RURALSIM_DASHBOARD_REGION", "RURALSIM_DASHBOARD_SCALE"
