"""One run to profile: `.venv/bin/pyinstrument benchmarks/profile_run.py [scale]` (pip install pyinstrument).

Prints the seconds per component (`model.component_seconds`) too.
"""

import sys

from sim import RuralModel

if __name__ == "__main__":
    model = RuralModel(seed=1, scale=float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
    model.run()
    print({name: round(s, 2) for name, s in sorted(model.component_seconds.items(), key=lambda kv: -kv[1])})
