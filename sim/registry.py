"""The components of a month, in the order they run. This list is the only place that names them.

Core dynamics come first and last; policy levers slot in between (see docs/ODD.md, "Process
overview and scheduling"). Adding a lever means adding its class here, nothing else.
"""

from .demography import Demography
from .income import Accounts, Income
from .labour import LabourMarket
from .lines import Lines
from .metrics import Metrics
from .shocks import Shocks

COMPONENTS = (
    Lines,  # calendar: poverty and monitoring lines for the year
    Demography,  # January: ageing out of work, elderly deaths
    Shocks,  # illness, disasters, migrant downturns
    LabourMarket,  # local and migrant job finding and loss, wages
    Income,  # farm and business income, pensions, other transfers
    Accounts,  # close the month: rolling 12-month income and rigid expenditure
    Metrics,  # core indicators
)
