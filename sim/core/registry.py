"""The components of a month, in the order they run. This list is the only place that names them.

Core dynamics come first and last; policy levers slot in between (see docs/ODD.md, "Process
overview and scheduling"). Adding a lever means adding its class here, nothing else.
"""

from ..levers.county_classes import CountyClasses
from ..dynamics.demography import Demography
from ..levers.dibao import Dibao
from ..dynamics.income import Accounts, Income
from ..dynamics.income_sources import IncomeSources
from ..levers.insurance import Insurance
from ..dynamics.labour import LabourMarket
from ..dynamics.lines import Lines
from ..dynamics.metrics import Metrics
from ..levers.model_villages import ModelVillages
from ..levers.monitoring import Monitoring
from ..levers.pension import Pension
from ..levers.pv import PV
from ..levers.relocation import Relocation
from ..dynamics.shocks import Shocks
from ..levers.tekun import Tekun
from ..levers.training import Training
from ..levers.transition import Transition
from ..dynamics.verification import Verification
from ..levers.workshops import Workshops

COMPONENTS = (
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
