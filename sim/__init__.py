"""ruralsim: an agent-based simulation of rural revitalisation policy in Shanxi (Xinzhou by default).

Notebook use::

    from sim import run
    result = run("scenarios/baseline.toml", replicates=5, scale=0.1)
    result.indicators      # tidy: scenario, replicate, seed, month, indicator, group, value
    result.annual()        # flows summed per year, stocks and ratios at year end
    run(overrides={"pv.household_share_of_village_funds": 0.3}, scale=0.1)   # any parameter
    run(Scenario(workshops={"sites_multiplier": 2.0}))   # built in Python: calibrated values kept
"""

from .core.errors import InputError
from .core.model import RuralModel
from .experiments.results import RunResult, annual, run
from .core.scenario import Scenario, load_scenario, scenario_from_dict

__all__ = ["RuralModel", "run", "load_scenario", "Scenario", "scenario_from_dict", "RunResult", "annual", "InputError"]
