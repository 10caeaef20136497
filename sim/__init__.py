"""ruralsim: an agent-based simulation of rural revitalisation policy in Shanxi (Xinzhou by default).

Notebook use::

    from sim import run
    result = run("scenarios/baseline.toml", replicates=5, scale=0.1)
    result.indicators      # tidy: scenario, replicate, seed, month, indicator, group, value
    result.annual()        # flows summed per year, stocks and ratios at year end
"""

from .errors import InputError
from .model import RuralModel
from .results import RunResult, annual, run
from .scenario import Scenario, load_scenario

__all__ = ["RuralModel", "run", "load_scenario", "Scenario", "RunResult", "annual", "InputError"]
