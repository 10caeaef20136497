"""Core dynamics, always on: the year's lines (`lines`), cohort demography (`demography`), shocks
(`shocks`), the labour market (`labour`), farm income and the month's accounts (`income`), income as
administrations verify it (`verification`), the core indicators (`metrics`) and income by source
(`income_sources`)."""
