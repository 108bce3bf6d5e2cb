"""How long ``ptm-bot`` takes to start, against a bare ``python -c pass``.

    python bench/cli_startup.py [--json] [--runs 10]

Each command runs as a fresh process (the way a user runs it), ``--runs`` times, alternating with
the baseline so machine load hits both alike; the figure is the median wall time over the median of
``python -c pass``. Targets (issue 11): ``ptm-bot --help`` within 0.3 s and
``ptm-bot model DeBERTa --json`` (on a catalog made once beforehand) within 0.4 s (issue 19;
0.8 s in issue 11).
CPU time (user + system, from ``getrusage``) is reported beside: on a loaded machine the wall
time also counts waiting for a core, the CPU time does not. Imports nothing from ``tests/``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"--help": 0.3, "model DeBERTa --json": 0.4}


def _ptm_bot() -> list[str]:
    script = Path(sys.executable).with_name("ptm-bot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli.main"]


def _time(argv: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of *argv* as a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    env_db = tempfile.mkdtemp(prefix="ptm-startup-")
    db = os.path.join(env_db, "catalog.sqlite3")
    subprocess.run([*_ptm_bot(), "init", "--db", db], check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    commands = {
        "--help": [*_ptm_bot(), "--help"],
        "model DeBERTa --json": [*_ptm_bot(), "model", "DeBERTa", "--json", "--db", db],
    }
    baseline: list[tuple[float, float]] = []
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for argv in commands.values():  # warm the file cache once, untimed
        _time(argv)
    load_before = os.getloadavg()[0]
    for _ in range(args.runs):
        baseline.append(_time([sys.executable, "-c", "pass"]))
        for name, argv in commands.items():
            times[name].append(_time(argv))
    base = statistics.median(w for w, _ in baseline)
    base_cpu = statistics.median(c for _, c in baseline)

    def figures(name: str) -> dict[str, object]:
        wall = statistics.median(w for w, _ in times[name])
        cpu = statistics.median(c for _, c in times[name])
        return {
            "median": round(wall, 3),
            "over_baseline": round(wall - base, 3),
            "cpu_median": round(cpu, 3),
            "cpu_over_baseline": round(cpu - base_cpu, 3),
            "target": TARGETS[name],
            "met": wall - base <= TARGETS[name],
        }

    result = {
        "python -c pass": round(base, 3),
        "python -c pass cpu": round(base_cpu, 3),
        **{name: figures(name) for name in commands},
        "runs": args.runs,
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"python -c pass: median {base:.3f} s wall, {base_cpu:.3f} s CPU ({args.runs} runs)")
        for name in commands:
            r = figures(name)
            print(
                f"ptm-bot {name}: median {r['median']:.3f} s wall ({r['over_baseline']:+.3f} s over the "
                f"baseline; target {r['target']} s: {'met' if r['met'] else 'NOT met'}), CPU "
                f"{r['cpu_median']:.3f} s ({r['cpu_over_baseline']:+.3f} s)"
            )
        print(
            f"load average (1 min) before / after: {result['load_average'][0]} / {result['load_average'][1]}"
        )
    return 0 if all(figures(name)["met"] for name in commands) else 1


if __name__ == "__main__":
    sys.exit(main())
