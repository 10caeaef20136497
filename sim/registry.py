"""The components of a month, in the order they run. This list is the only place that names them.

Core dynamics come first and last; policy levers slot in between (see docs/ODD.md, "Process
overview and scheduling"). Adding a lever means adding its class here, nothing else.
"""

from .county_classes import CountyClasses
from .demography import Demography
from .dibao import Dibao
from .income import Accounts, Income
from .income_sources import IncomeSources
from .insurance import Insurance
from .labour import LabourMarket
from .lines import Lines
from .metrics import Metrics
from .model_villages import ModelVillages
from .monitoring import Monitoring
from .pension import Pension
from .pv import PV
from .relocation import Relocation
from .shocks import Shocks
from .tekun import Tekun
from .training import Training
from .transition import Transition
from .verification import Verification
from .workshops import Workshops

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
