"""Where a fresh `ruralsim run` holds its memory: resident memory sampled every 10 ms beside the main thread's
call stack, so the peak can be put on a stage (imports, build, months, indicator frame, outputs, figures).

    .venv/bin/python benchmarks/run_memory.py                     # the Xinzhou baseline at full scale
    .venv/bin/python benchmarks/run_memory.py --scale 0.05 --years 2    # other options go to `ruralsim run`

Prints, per stage (the outermost ruralsim functions on the stack below `cli.cmd_run`; outside ruralsim: the
imports before the command and the exit after it), the highest resident memory seen in it, then the peak and
the stack it was reached in. Samples are taken by a
thread, so a peak shorter than the interval may be missed: `ru_maxrss` (printed last) is exact. Issue 19.
"""

import argparse
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

PAGE = 4096


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * PAGE / 2**20


def stack_of(frame) -> list[str]:
    """The ruralsim (and benchmark) functions on a stack, outermost first."""
    names = []
    while frame is not None:
        path = frame.f_code.co_filename
        if "/sim/" in path:
            names.append(f"{Path(path).stem}.{frame.f_code.co_name}")
        frame = frame.f_back
    return names[::-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.01, help="seconds between samples")
    parser.add_argument("--depth", type=int, default=8, help="stack frames that name a stage (from the outermost)")
    args, run_args = parser.parse_known_args()
    run_args = [a for a in run_args if a != "--"]
    main_id = threading.get_ident()
    stages: dict[str, float] = {}
    order: list[str] = []
    peak = [0.0, []]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            stack = stack_of(sys._current_frames().get(main_id))  # no frame kept: it would keep its locals alive
            stage = " > ".join(stack[2:args.depth]) if stack else "(outside ruralsim: imports, exit)"
            mb = rss_mb()
            if stage not in stages:
                order.append(stage)
            stages[stage] = max(stages.get(stage, 0.0), mb)
            if mb > peak[0]:
                peak[:] = [mb, stack]
            time.sleep(args.interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    started = time.perf_counter()
    from sim.ui.cli import main as cli_main

    imported_mb = rss_mb()
    with tempfile.TemporaryDirectory() as out:
        code = cli_main(["run", "--quiet", "--out", str(Path(out) / "run"), *run_args])
    done.set()
    thread.join()
    print(f"\nexit {code}, {time.perf_counter() - started:.1f} s; after importing the CLI: {imported_mb:.0f} MB")
    print("highest RSS per stage (MB), in order of first appearance:")
    for stage in order:
        print(f"  {stages[stage]:7.0f}  {stage}")
    print(f"peak sampled: {peak[0]:.0f} MB in {' > '.join(peak[1])}")
    print(f"ru_maxrss: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
