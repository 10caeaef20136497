"""The fit: likelihood-free Bayesian calibration by ABC-SMC (Toni et al. 2009; Klinger et al. 2018, pyabc).

A candidate parameter set is run through every simulation of `calibration/targets.toml` (Xinzhou
2021-2024, Shanxi 2020-2022, Rucheng 2021) at reduced scale and scored by the root mean square of the
targets' errors in units of their observation uncertainty. Evaluations run on Dask workers
(`sim.experiments.cluster.connect`); each evaluation's random numbers come from the root seed, its generation and its
index, and a generation keeps exactly the evaluations up to its n-th accepted one in index order, so a
seed gives the same posterior on any number of workers (pyabc's own Dask sampler reseeds from the
operating system, hence the sampler here)."""

import os
import time
from functools import cache
from pathlib import Path
from typing import Any, Callable

from ..core.errors import InputError


def _key(name: str) -> str:
    return name.replace(".", "__")


class TargetModel:
    """The simulator pyabc calls: fit-scale parameters -> every target's simulated value.

    Runs on the workers. The evaluation's seed comes from numpy's global stream, which the sampler
    seeds per evaluation from (root seed, generation, index).
    """

    def __init__(self, spec, scale: str | float = "calibration"):
        self.spec = spec
        self.scale = scale

    def values(self, fit_params: dict) -> dict[str, float]:
        out = {}
        for p in self.spec.parameters:
            out[p.name] = p.from_fit(float(fit_params[_key(p.name)]))
        return out

    def __call__(self, fit_params) -> dict:
        import numpy as np

        from .targets import parameter_overrides, simulate

        seed = int(np.random.randint(0, 2**62, dtype=np.int64))
        overrides = parameter_overrides(self.spec, self.values(fit_params))
        try:
            return simulate(self.spec, overrides, seed, scale=self.scale)
        except InputError:  # a value the schema rejects counts as infinitely far
            return {t.id: float("nan") for t in self.spec.targets}


class TargetDistance:
    """Root mean square of (simulated - observed) / sigma over the targets (pyabc distance callable)."""

    def __init__(self, spec):
        self.spec = spec

    def __call__(self, x: dict, x_0: dict) -> float:
        from .targets import distance

        return distance(self.spec, x)


def _evaluate(simulate_one_pickle: bytes, seeds: list) -> list:
    """Run on a worker: one evaluation per seed (a list of uint32 words for numpy's global stream)."""
    import random

    import cloudpickle
    import numpy as np

    from .sweep import _MALLOC_TUNED, _tune_malloc

    if not _MALLOC_TUNED:
        _tune_malloc()
    simulate_one = cloudpickle.loads(simulate_one_pickle)
    out = []
    for words in seeds:
        np.random.seed(np.asarray(words, np.uint32))
        random.seed(int(words[0]))
        out.append(simulate_one())
    return out


def _evaluation_seed(root: int, t: int, index: int) -> list[int]:
    import numpy as np

    return np.random.SeedSequence(root, spawn_key=(t + 1000, index)).generate_state(8).tolist()


@cache
def _sampler_class():
    import cloudpickle
    import numpy as np
    from pyabc.sampler import Sampler

    class SeededSampler(Sampler):
        """pyabc sampler with reproducible evaluations, in this process or on a Dask client.

        Evaluation i of generation t draws from a stream seeded by (seed, t, i); the generation's sample
        is evaluations 0..k, k the index of the n-th accepted one, whatever order they finish in.
        """

        def __init__(self, seed: int, client=None, batch_size: int = 1, on_evaluation: Callable | None = None):
            super().__init__()
            self.seed = int(seed)
            self.client = client
            self.batch_size = max(1, int(batch_size))
            self.on_evaluation = on_evaluation
            self.evaluations_run = 0  # every evaluation computed, also those past the n-th acceptance

        def _slots(self) -> int:
            if self.client is None:
                return 1
            return max(1, sum(self.client.ncores().values()))

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,
                                    ana_vars=None):
            payload = cloudpickle.dumps(simulate_one)
            results: dict[int, Any] = {}
            next_index = 0
            cutoff = None  # index of the n-th accepted evaluation, once known

            def scan():
                accepted = 0
                for i in range(len(results)):
                    if i not in results:
                        return None
                    accepted += results[i].accepted
                    if accepted >= n:
                        return i
                return None

            def seeds_for(start, count):
                return [_evaluation_seed(self.seed, t, i) for i in range(start, start + count)]

            if self.client is None:
                while cutoff is None and next_index < max_eval:
                    results[next_index] = _evaluate(payload, seeds_for(next_index, 1))[0]
                    next_index += 1
                    self.evaluations_run += 1
                    if self.on_evaluation:
                        self.on_evaluation()
                    if results[next_index - 1].accepted:
                        cutoff = scan()
            else:
                from distributed import wait

                payload_future = self.client.scatter(payload, broadcast=True)
                running: dict = {}  # future -> first index
                window = 2 * self._slots()
                while True:
                    accepted_so_far = sum(r.accepted for r in results.values())
                    while (len(running) < window and accepted_so_far < n and next_index < max_eval
                           and (cutoff is None)):
                        count = int(min(self.batch_size, max_eval - next_index))
                        future = self.client.submit(_evaluate, payload_future, seeds_for(next_index, count),
                                                    pure=False, key=f"ruralsim-abc-{t}-{next_index}-{id(self)}")
                        running[future] = next_index
                        next_index += count
                    if not running:
                        break
                    done, _ = wait(list(running), return_when="FIRST_COMPLETED")
                    for future in done:
                        first = running.pop(future)
                        batch = future.result()
                        for j, particle in enumerate(batch):
                            results[first + j] = particle
                        self.evaluations_run += len(batch)
                        if self.on_evaluation:
                            for _ in batch:
                                self.on_evaluation()
                        future.release()
                    cutoff = scan()
                    if cutoff is not None:
                        for future, first in list(running.items()):
                            if first > cutoff:
                                future.cancel()
                                running.pop(future)
                        if not running:
                            break
                cutoff = scan()

            sample = self._create_empty_sample()
            last = cutoff if cutoff is not None else max(results, default=-1)
            for i in range(last + 1):
                sample.append(results[i])
            self.nr_evaluations_ = last + 1
            if cutoff is None:
                sample.ok = False
            return sample

    return SeededSampler


def prior_distribution(spec):
    import pyabc

    rvs = {}
    for p in spec.parameters:
        lo, hi = p.fit_bounds
        rvs[_key(p.name)] = pyabc.RV("uniform", lo, hi - lo)
    return pyabc.Distribution(**rvs)


def fit(spec, *, budget: int | None = None, seed: int | None = None, client=None,
        population_size: int | None = None, max_generations: int | None = None,
        min_acceptance_rate: float | None = None, scale: str | float = "calibration",
        log: Callable[[str], None] | None = None, progress: Callable[[], None] | None = None, db_dir=None):
    """Run ABC-SMC. Returns a dict with the pyabc History and the run's settings."""
    import logging

    import numpy as np
    import pyabc

    settings = spec.calibration
    budget = settings.budget if budget is None else budget
    seed = settings.seed if seed is None else seed
    pop = population_size or settings.population_size
    gens = max_generations or settings.max_generations
    rate = settings.min_acceptance_rate if min_acceptance_rate is None else min_acceptance_rate
    if budget < 2 * pop:
        pop = max(4, budget // 4)
    for name in ("ABC", "pyabc", "ABC.History", "ABC.Sampler", "ABC.Epsilon", "ABC.Distance", "ABC.Population",
                 "ABC.Adaptation", "ABC.Predictor", "ABC.Transition", "ABC.Acceptor"):
        logging.getLogger(name).setLevel(logging.WARNING)
    np.random.seed(np.random.SeedSequence(seed).generate_state(8))
    sampler = _sampler_class()(seed, client=client, on_evaluation=progress)
    abc = pyabc.ABCSMC(TargetModel(spec, scale), prior_distribution(spec), TargetDistance(spec),
                       population_size=pop, sampler=sampler,
                       transitions=pyabc.MultivariateNormalTransition(scaling=1.0),
                       eps=pyabc.MedianEpsilon())
    db_dir = Path(db_dir) if db_dir else Path(os.environ.get("TMPDIR", "/tmp"))
    db_path = db_dir / f"ruralsim-abc-{os.getpid()}-{seed}.db"
    db_path.unlink(missing_ok=True)
    observed = {t.id: t.observed for t in spec.targets}
    started = time.time()
    abc.new(f"sqlite:///{db_path}", observed)
    history = abc.run(max_nr_populations=gens, max_total_nr_simulations=budget, min_acceptance_rate=rate)
    return {"history": history, "db_path": db_path, "population_size": pop, "max_generations": gens,
            "min_acceptance_rate": rate, "budget": budget, "seed": seed, "wall_seconds": time.time() - started,
            "evaluations_run": sampler.evaluations_run}
