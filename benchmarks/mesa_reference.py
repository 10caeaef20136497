"""Reference for benchmarks/bench_run.py: the household income-and-employment rule, one mesa.Agent per household.

    .venv/bin/python benchmarks/mesa_reference.py [--households 100000] [--months 12]

The same households as ruralsim (its population builder, Xinzhou, scaled to about `--households`) and
the same monthly rule as its labour market, income and accounts, written the usual Mesa way: each
household an agent whose `step` walks its labourers (one uniform each: job loss for local and migrant
workers, local or migrant job finding for the rest, none while ill), sums wages, farm income, pension
and transfers, rolls its 12-month income and checks the poverty line; the model steps every agent
and counts the poor. No levers, no shocks, no indicators beyond that count, so it does strictly less
than a ruralsim month. Prints JSON: creation and step seconds, ns per household-month, peak RSS.
"""

import argparse
import json
import resource
import time

import mesa
import numpy as np

from sim.core import population
from sim.core.households import Employment
from sim.core.regions import get_region
from sim.core.scenario import default_scenario

NONE, FARMING, LOCAL, MIGRANT = Employment.NONE, Employment.FARMING, Employment.LOCAL, Employment.MIGRANT
XINZHOU_HOUSEHOLDS = 943_766


class Household(mesa.Agent):
    def __init__(self, model, size, lifted_out, farm_annual, transfers, n_elderly, states, skills, finding_factors):
        super().__init__(model)
        self.size, self.lifted_out = size, lifted_out
        self.farm_annual, self.transfers, self.n_elderly = farm_annual, transfers, n_elderly
        self.states, self.skills = states, skills
        self.finding_factors = finding_factors
        self.ill_months = [0] * len(states)
        self.ring = [0.0] * 12
        self.income_12m = 0.0
        self.poor = False

    def step(self):
        m = self.model
        p, rnd = m.labour, m.random.random
        wages = 0.0
        for i, state in enumerate(self.states):
            u = rnd()
            if state == LOCAL:
                if u < p.local_job_loss_monthly:
                    state = FARMING
            elif state == MIGRANT:
                if u < p.migrant_job_loss_monthly:
                    state = FARMING
            elif self.ill_months[i] == 0:
                f_migrant = p.migrant_job_finding_monthly * self.finding_factors[i]
                f_local = p.local_job_finding_monthly * self.finding_factors[i]
                if u < f_migrant:
                    state = MIGRANT
                elif u < f_migrant + f_local:
                    state = LOCAL
            else:
                self.ill_months[i] -= 1
            self.states[i] = state
            if state == LOCAL:
                wages += m.local_wage * self.skills[i]
            elif state == MIGRANT:
                wages += m.migrant_wage * self.skills[i]
        income = (wages + self.farm_annual * m.farm_share + self.n_elderly * m.pension
                  + self.transfers * m.transfer_index)
        self.income_12m += income - self.ring[m.ring_pos]
        self.ring[m.ring_pos] = income
        self.poor = self.income_12m < m.poverty_line * self.size


class ReferenceModel(mesa.Model):
    def __init__(self, households: int, seed: int = 1):
        super().__init__(rng=seed)
        scenario = default_scenario()
        self.labour, self.income = scenario.labour, scenario.income
        pop = population.build(get_region("xinzhou"), scenario, scale=households / XINZHOU_HOUSEHOLDS,
                               rng=np.random.default_rng(seed))
        hh, lab = pop.households, pop.labourers
        lab_p = scenario.labour
        finding = (np.where(hh.lifted_out[lab.household], lab_p.lifted_out_finding_factor, 1.0)
                   * np.where(lab.age_years >= lab_p.older_worker_age_years, lab_p.older_worker_finding_factor, 1.0))
        wage = lab.skill * lab.wage_multiplier
        for h in range(len(hh)):
            s = slice(hh.first_labourer[h], hh.first_labourer[h] + hh.labour_slots[h])
            Household(self, int(hh.size[h]), bool(hh.lifted_out[h]), float(hh.farm_income_annual_yuan[h]),
                      float(hh.other_transfers_monthly_yuan[h]), int(hh.n_elderly[h]), lab.state[s].tolist(),
                      wage[s].tolist(), finding[s].tolist())
        self.month, self.ring_pos = 0, 0
        self.poverty_line = 4_000.0
        self.poor = 0

    def step(self):
        inc = self.income
        years = self.month / 12
        growth = (1 + inc.wage_growth_per_year) ** years
        self.local_wage = inc.local_wage_monthly_2020_yuan * growth
        self.migrant_wage = inc.migrant_wage_monthly_2020_yuan * growth
        self.farm_share = inc.farm_monthly_profile[self.month % 12] * (1 + inc.farm_growth_per_year) ** years
        self.transfer_index = (1 + inc.transfer_growth_per_year) ** years
        self.pension = 140.0 * self.transfer_index  # the fixed workload of the reference (yuan a month)
        self.agents.shuffle_do("step")
        self.poor = sum(a.size for a in self.agents if a.poor)
        self.ring_pos = (self.ring_pos + 1) % 12
        self.month += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    started = time.perf_counter()
    model = ReferenceModel(args.households)
    created = time.perf_counter()
    for _ in range(args.months):
        model.step()
    done = time.perf_counter()
    n = len(model.agents)
    print(json.dumps({
        "households": n, "months": args.months, "create_s": round(created - started, 3),
        "step_s": round(done - created, 3),
        "ns_per_household_month": round((done - created) / (n * args.months) * 1e9, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "persons_below_poverty_line_sampled": model.poor,
    }))


if __name__ == "__main__":
    main()
