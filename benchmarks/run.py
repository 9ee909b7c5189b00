"""Measure eligibility against its physical limit, in one run, on one synthetic population.

    .venv/bin/python benchmarks/run.py              # ~2-3 minutes
    .venv/bin/python benchmarks/run.py --big        # memory up to 1,000,000 profiles (several minutes more)

Prints profile-dates per second through the durable_rules engine, through the Python
evaluation alone and through a hand-written function (three provisions), peak memory of
`eligibility batch` on a small and a large population, and the cold wall time of
`eligibility check` against importing the package, its dependencies, and bare Python.
The machine is noisy: read the ratios, which are measured side by side.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import baseline  # noqa: E402

from eligibility import api, synth  # noqa: E402
from eligibility.batch import CHUNK  # noqa: E402
from eligibility.profile import parse_profile  # noqa: E402

DATES = [date(2024, 8, 1), date(2025, 1, 1)]
EXAMPLE = ROOT / "scenarios" / "people" / "nepali-contract-soldier.json"
BIN = Path(sys.executable).parent


def rate(function, cases, repeat: int = 3) -> float:
    """Best of `repeat` runs, in profile-dates per second."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        function(cases)
        best = min(best, time.perf_counter() - started)
    return len(cases) / best


def in_chunks(judge):
    def run(cases):
        step = CHUNK * len(DATES)
        for start in range(0, len(cases), step):
            judge(cases[start:start + step])
    return run


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def batch_run(people: Path, jobs: int) -> tuple[float, int]:
    """Wall seconds and peak memory (process tree) of `eligibility batch` writing to a file."""
    out = people.with_suffix(".out.jsonl")
    command = [str(BIN / "eligibility"), "batch", str(people), "-o", str(out), "--jobs", str(jobs), "--quiet"]
    for day in DATES:
        command += ["--on", day.isoformat()]
    started = time.perf_counter()
    process = subprocess.Popen(command)
    peak = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    code = process.wait()
    wall = time.perf_counter() - started
    done.set()
    watcher.join()
    out.unlink(missing_ok=True)
    if code != 0:
        raise SystemExit(f"eligibility batch failed with exit code {code}")
    return wall, peak


def cold(command: list[str], runs: int) -> float:
    """Median wall time of a fresh process, in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def write_population(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as sink:
        sink.writelines(synth.lines(n, 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="population for the throughput figures")
    parser.add_argument("--big", action="store_true", help="memory up to 1,000,000 profiles instead of 100,000")
    parser.add_argument("--runs", type=int, default=15, help="runs per cold-start command")
    args = parser.parse_args()
    began = time.perf_counter()
    print(f"eligibility benchmark: {args.n} synthetic profiles (seed 1) x {len(DATES)} dates, "
          f"{os.cpu_count()} cores, Python {sys.version.split()[0]}")

    # -- throughput, in this process ------------------------------------------------------------
    evaluator = api.evaluator()
    started = time.perf_counter()
    profiles = [parse_profile(data) for data in synth.population(args.n, 1)]
    validate = (time.perf_counter() - started) / args.n * 1e6
    cases = [(p, d) for p in profiles for d in DATES]
    gc.freeze()
    three = list(baseline.PROVISIONS)
    figures = {
        "engine, all provisions": rate(in_chunks(evaluator.judge_many), cases),
        "python, all provisions": rate(in_chunks(lambda c: evaluator.judge_many(c, engine=False)), cases),
        "engine, 3 provisions": rate(in_chunks(lambda c: evaluator.judge_many(c, three)), cases),
        "python, 3 provisions": rate(in_chunks(lambda c: evaluator.judge_many(c, three, engine=False)), cases),
        "hand-written, 3 provisions": rate(lambda c: [baseline.judge(p, d) for p, d in c], cases),
    }
    print("\nprofile-dates per second, one core (evaluation only; profiles already validated, "
          f"{validate:.0f} us each to validate):")
    for name, value in figures.items():
        print(f"  {name:<28} {value:>10,.0f}")
    limit = figures["hand-written, 3 provisions"]
    print(f"  engine / hand-written, same 3 provisions:  {limit / figures['engine, 3 provisions']:.1f}x slower"
          "  (target: within 10x)")
    print(f"  python / hand-written, same 3 provisions:  {limit / figures['python, 3 provisions']:.1f}x slower"
          "  (target: within 3x)")
    print(f"  engine / python, all provisions:           "
          f"{figures['python, all provisions'] / figures['engine, all provisions']:.1f}x slower")

    # -- the batch command, end to end ------------------------------------------------------------
    with tempfile.TemporaryDirectory() as folder:
        people = Path(folder) / "people.jsonl"
        write_population(people, args.n)
        print(f"\neligibility batch, end to end ({args.n} profiles x {len(DATES)} dates, reading, validating, writing):")
        for jobs in (1, 2):
            wall, peak = batch_run(people, jobs)
            print(f"  --jobs {jobs}: {wall:6.1f} s  {args.n * len(DATES) / wall:>8,.0f} profile-dates/s"
                  f"  ({args.n * len(DATES) / wall / jobs:,.0f} per core)  peak {peak / 2**20:.0f} MiB")

        sizes = [10_000, 1_000_000] if args.big else [10_000, 100_000]
        peaks = []
        for size in sizes:
            write_population(people, size)
            wall, peak = batch_run(people, 2)
            peaks.append(peak)
            print(f"  memory, {size:>9,} profiles, --jobs 2: peak {peak / 2**20:.0f} MiB ({wall:.0f} s)")
        print(f"  growth from {sizes[0]:,} to {sizes[1]:,} profiles: {(peaks[1] - peaks[0]) / 2**20:+.1f} MiB "
              "(target: within 20 MiB)")

    # -- cold start -------------------------------------------------------------------------------
    python = sys.executable
    check = cold([str(BIN / "eligibility"), "check", str(EXAMPLE), "--on", "2024-08-01"], args.runs)
    package = cold([python, "-c", "import eligibility"], args.runs)
    dependencies = cold([python, "-c", "import durable.engine, pydantic, typer, rich.console"], args.runs)
    bare = cold([python, "-c", "pass"], args.runs)
    print(f"\ncold wall time, median of {args.runs} runs:")
    print(f"  eligibility check (example)        {check:6.0f} ms   (target: under 250 ms)")
    print(f"  python -c 'import eligibility'     {package:6.0f} ms")
    print(f"  python -c 'import <dependencies>'  {dependencies:6.0f} ms   (durable.engine, pydantic, typer, rich.console)")
    print(f"  python -c pass                     {bare:6.0f} ms")
    print(f"  check / dependencies: {check / dependencies:.2f}x  (target: within 1.5x)   "
          f"check / import eligibility: {check / package:.2f}x   check / bare python: {check / bare:.1f}x")
    print(f"\nbenchmark took {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
