# Two commands on a fresh clone: `make run` (Xinzhou baseline) and `make test`. Each creates .venv if missing.
# `make test` also installs the [dashboard] extra, so the dashboard's tests run rather than skip.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DASHBOARD_STAMP := $(VENV)/.installed-dashboard

.PHONY: run test test-slow bench dashboard dashboard-screenshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# numba compiles the monthly kernels once (cached in __pycache__ beside them); done here so the first run does
# not sit silently for it, and again whenever sim/kernels/ or a lever with kernels (sim/levers/) changes
KERNELS_STAMP := $(VENV)/.kernels-compiled
$(KERNELS_STAMP): $(STAMP) $(wildcard sim/kernels/*.py sim/levers/*.py)
	@echo "compiling the model's kernels (once after an install or a change to sim/kernels/ or sim/levers/, ~15 s)"
	$(BIN)/python -c "from sim import RuralModel; RuralModel(seed=0, scale=0.01, years=1).run()"
	touch $(KERNELS_STAMP)

$(DASHBOARD_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,dashboard]'
	touch $(DASHBOARD_STAMP)

run: $(KERNELS_STAMP)
	$(BIN)/ruralsim run

test: $(DASHBOARD_STAMP) $(KERNELS_STAMP)
	$(BIN)/python -m pytest -q

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

bench: $(KERNELS_STAMP)
	$(BIN)/python benchmarks/bench_run.py

dashboard: $(DASHBOARD_STAMP)
	$(BIN)/ruralsim dashboard

dashboard-screenshot: $(DASHBOARD_STAMP)  # docs/figures/dashboard.png; needs Chromium (apt-get install chromium)
	$(BIN)/python scripts/dashboard_screenshot.py

clean:
	rm -rf $(VENV) results .pytest_cache .hypothesis
