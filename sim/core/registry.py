"""The components of a month, in the order they run: the one list that names the built-in ones.

Core dynamics come first and last; policy levers slot in between (see docs/ODD.md, "Process
overview and scheduling"). A built-in lever is its own file in sim/levers/ plus one line here. A lever
from another installed package needs no edit of sim/: it names its component class under the entry
point group `ruralsim.components` (`[project.entry-points."ruralsim.components"]` in its pyproject.toml)
and declares where it runs, `after = "<component name>"`; its `Params` become a scenario section and its
indicators are recorded like any other (docs/levers.md). What else lists levers derives from this
order and the components' declarations: the labourers' job states (`employment_names`), the levers the
transition rule switches (`time_limited_levers`), the income sources' categories.
"""

import os
from importlib import metadata

from ..dynamics.demography import Demography
from ..dynamics.income import Accounts, Income
from ..dynamics.income_sources import IncomeSources
from ..dynamics.labour import LabourMarket
from ..dynamics.lines import Lines
from ..dynamics.metrics import Metrics
from ..dynamics.shocks import Shocks
from ..dynamics.verification import Verification
from ..levers.county_classes import CountyClasses
from ..levers.dibao import Dibao
from ..levers.insurance import Insurance
from ..levers.model_villages import ModelVillages
from ..levers.monitoring import Monitoring
from ..levers.pension import Pension
from ..levers.pv import PV
from ..levers.relocation import Relocation
from ..levers.tekun import Tekun
from ..levers.training import Training
from ..levers.transition import Transition
from ..levers.workshops import Workshops
from .households import Employment

ENTRY_POINT_GROUP = "ruralsim.components"

BUILT_IN = (
    Lines,  # calendar: poverty and monitoring lines and the dibao standard for the year
    Transition,  # per-county transition windows (publishes months after the window)
    CountyClasses,  # per-county assistance intensity by class
    Demography,  # January: ageing out of work, elderly deaths
    Shocks,  # illness, disasters, migrant downturns
    # -- levers acting on people before the labour market: relocation, training
    Relocation,  # relocated households (set up without farmland); follow-up jobs at resettlement sites
    Training,  # January: training places; trained labourers find migrant work more easily, earn more
    LabourMarket,  # local and migrant job finding and loss, wages
    # -- lever jobs and funds: workshops, PV revenue sharing (posts), model villages
    Workshops,  # employment-assistance workshops, parks and bases: subsidised county jobs
    PV,  # PV revenue: county retention, public-welfare posts, public works, dividends, collective
    ModelVillages,  # January: model/upgraded villages join; collective income and local jobs rise
    Income,  # farm and business income (permanent x transitory), other transfers
    # -- social protection: pensions, extreme-poverty support, dibao (means-tested on verified income)
    Pension,  # basic pension of rural residents aged 60+
    Verification,  # the annual income survey: own income as administrations verify it
    Tekun,  # extreme-poverty support: no labour, no child, no supporter; takes over from dibao
    Dibao,  # rural minimum living guarantee: top-up to the standard, take-up, lag, reviews
    # -- transfer levers: insurance; then dynamic monitoring (identification, referral, risk elimination)
    Insurance,  # medical reimbursement shares (read by shocks), agricultural indemnities
    Monitoring,  # dynamic monitoring: identification, referral to social assistance, risk elimination
    Accounts,  # close the month: rolling 12-month income and rigid expenditure
    Metrics,  # core indicators
    IncomeSources,  # income by source per person, by group and for lifted-out households
)


def installed_components() -> list:
    """Component classes other installed packages add through the entry point group (sorted by entry
    point name, so the order does not depend on the installation); `RURALSIM_COMPONENTS=0` ignores them."""
    if os.environ.get("RURALSIM_COMPONENTS", "1") == "0":
        return []
    found = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    return [ep.load() for ep in found]


def assemble(built_in, added) -> tuple:
    """The built-in order with each added component placed right after the one it names in `after`
    (added components may follow each other); a missing or unknown position, or a name already taken,
    is an error naming the component."""
    order = list(built_in)
    pending = list(added)
    while pending:
        placed = False
        for component in list(pending):
            names = [c.name for c in order]
            where = getattr(component, "after", None)
            if component.name in names:
                raise ValueError(f"component '{component.name}' ({component.__module__}): the name is already taken")
            if where is None or (where not in names and where not in {c.name for c in pending}):
                raise ValueError(f"component '{component.name}' ({component.__module__}): declare `after` as one of "
                                 f"{', '.join(names)}")
            if where in names:
                order.insert(names.index(where) + 1, component)
                pending.remove(component)
                placed = True
        if not placed:
            raise ValueError(f"components {', '.join(c.name for c in pending)}: their `after` positions form a cycle")
    return tuple(order)


COMPONENTS = assemble(BUILT_IN, installed_components())


def employment_names() -> dict[int, str]:
    """Every labourer state by code: the core states (`households.Employment`) and the lever jobs the
    components declare (`job_states`)."""
    names = dict(Employment.NAMES)
    for component in COMPONENTS:
        for state in component.job_states:
            if state.code in names:
                raise ValueError(f"job state '{state.name}' of {component.name}: code {state.code} is taken by "
                                 f"'{names[state.code]}'")
            names[state.code] = state.name
    return dict(sorted(names.items()))


def time_limited_levers() -> tuple[str, ...]:
    """The levers the transition rule switches (`time_limited`), in the month's order."""
    return tuple(c.name for c in COMPONENTS if c.time_limited)
