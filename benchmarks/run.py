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
import json
import os
import shutil
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

from eligibility import api  # noqa: E402
from eligibility.law.record import Evidence  # noqa: E402
from eligibility.people.profile import parse_profile  # noqa: E402
from eligibility.runners import synth  # noqa: E402
from eligibility.runners.batch import CHUNK  # noqa: E402

DATES = [date(2024, 8, 1), date(2025, 1, 1)]
EXAMPLE = ROOT / "scenarios" / "people" / "nepali-contract-soldier.json"
BIN = Path(sys.executable).parent


def rates(functions: dict[str, object], cases, rounds: int = 5) -> dict[str, float]:
    """Best of `rounds` runs of each function over the cases, in profile-dates per second.

    The functions take turns, round by round, so a slow spell on the machine falls on all."""
    best = {name: float("inf") for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            gc.collect()
            started = time.perf_counter()
            function(cases)
            best[name] = min(best[name], time.perf_counter() - started)
    return {name: len(cases) / seconds for name, seconds in best.items()}


def in_chunks(judge, forget=None):
    """The judge over the cases in batch's chunks; `forget` first drops the outcomes kept from an
    earlier run over the same cases, so that every run works out the population's own."""

    def run(cases):
        if forget is not None:
            forget()
        step = CHUNK * len(DATES)
        for start in range(0, len(cases), step):
            judge(cases[start : start + step])

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


def batch_run(
    people: Path,
    jobs: int,
    rules: Path | None = None,
    keep: Path | None = None,
    days: list[date] = DATES,
    extra: tuple[str, ...] = (),
) -> tuple[float, int]:
    """Wall seconds and peak memory (process tree) of `eligibility batch` writing to a file (kept
    as `keep`, if given)."""
    out = keep or people.with_suffix(".out.jsonl")
    command = [str(BIN / "eligibility"), "batch", str(people), "-o", str(out), "--jobs", str(jobs), "--quiet", *extra]
    for day in days:
        command += ["--on", day.isoformat()]
    if rules is not None:
        command += ["--rules", str(rules)]
    wall, peak = measured(command)
    if keep is None:
        out.unlink(missing_ok=True)
    return wall, peak


def measured(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak memory (process tree) of a command, its output thrown away."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
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
    if code != 0:
        raise SystemExit(f"{' '.join(command[:2])} failed with exit code {code}")
    return wall, peak


def cold(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Fastest and median wall time of each command in a fresh process, in milliseconds.

    The commands take turns, run by run, so a slow spell on the machine falls on all of them."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: (min(found), statistics.median(found)) for name, found in times.items()}


def dependency_modules(check: list[str]) -> list[str]:
    """The modules of installed packages that `eligibility check` loads (beyond what Python
    itself loads at start), found by running it and reading sys.modules."""
    code = (
        "import sys, sysconfig\n"
        "before = set(sys.modules)\n"
        "from eligibility.cli import main\n"
        f"sys.argv = {check!r}\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "roots = tuple({sysconfig.get_paths()['purelib'], sysconfig.get_paths()['platlib']})\n"
        "found = [name for name, module in list(sys.modules.items()) if name not in before\n"
        "         and (getattr(module, '__file__', None) or '').startswith(roots)\n"
        "         and name.split('.')[0] != 'eligibility']\n"
        "sys.stderr.write(' '.join(sorted(found)))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True
    )
    return run.stderr.split()


def compile_package() -> str:
    """Byte-compile the package, as installing it from a wheel does.  An editable install
    leaves that to Python's first import, which PYTHONDONTWRITEBYTECODE turns off; every cold
    run would then compile the package's modules from source again."""
    import eligibility

    folder = Path(eligibility.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder)], check=True)
    return str(folder)


def write_population(path: Path, n: int, seed: int = 1) -> None:
    with open(path, "w", encoding="utf-8") as sink:
        sink.writelines(synth.lines(n, seed))


TARGETS = {(10_000, 2): 3.5, (100_000, 1): 2.5}  # batch / the I/O floor (issue: scale, honestly measured)


def against_floor(folder: Path, size: int, days: list[date]) -> float:
    """`batch --jobs 1`, the I/O floor and the stack's floor on one population, taking turns, round
    by round; both floors write the very bytes batch wrote (kept from a first run) and nothing
    else.  The I/O floor's median wall time."""
    people = folder / f"floor-{size}.jsonl"
    write_population(people, size, seed=size)  # a population of its own, not the throughput one
    rows = folder / f"floor-{size}.rows.jsonl"
    batch_run(people, 1, keep=rows, days=days)
    here = Path(__file__).resolve().parent
    floor = [sys.executable, str(here / "io_floor.py"), str(people), str(rows)]
    stack = [sys.executable, str(here / "stack_floor.py"), str(people), str(rows)]
    ratios, floors, batches, on_floor, above = [], [], [], [], []
    for _ in range(3):
        batch_wall, _ = batch_run(people, 1, days=days)
        floor_wall, _ = measured([*floor, str(folder / "again.jsonl")])
        stack_wall, _ = measured([*stack, str(folder / "again-stack.jsonl")])
        ratios.append(batch_wall / floor_wall)
        floors.append(floor_wall)
        batches.append(batch_wall)
        on_floor.append(stack_wall / floor_wall)  # the stack's floor / the I/O floor
        above.append(batch_wall / stack_wall)  # batch / the stack's floor
    for again in ("again.jsonl", "again-stack.jsonl"):
        if (folder / again).read_bytes() != rows.read_bytes():
            raise SystemExit("a floor did not write batch's bytes")
    target = TARGETS.get((size, len(days)))
    print(
        f"    {size:>7,} profiles x {len(days)} date(s): batch {statistics.median(batches):5.1f} s, "
        f"the floor {statistics.median(floors):4.2f} s; batch / the floor: median {statistics.median(ratios):.1f}x "
        f"({min(ratios):.1f}x to {max(ratios):.1f}x)" + (f"  (target: within {target}x)" if target else "")
    )
    print(
        f"      the stack's floor / the floor: median {statistics.median(on_floor):.1f}x "
        f"({min(on_floor):.1f}x to {max(on_floor):.1f}x); batch / the stack's floor: median "
        f"{statistics.median(above):.1f}x ({min(above):.1f}x to {max(above):.1f}x)"
    )
    return statistics.median(floors)


def starting(folder: Path, floor: float, runs: int = 3) -> None:
    """`batch --jobs 1` on a population of one profile: starting the process, importing the stack,
    loading the rule base, building the engine and writing one row, the part of any batch that
    no judging can shorten; against the floor at 10,000 x 2."""
    people = folder / "one.jsonl"
    write_population(people, 1, seed=1)
    walls = sorted(batch_run(people, 1, days=DATES)[0] for _ in range(runs))
    print(
        f"    batch on one profile (start, imports, rule base, engine, one row): {walls[runs // 2]:.2f} s, "
        f"{walls[runs // 2] / floor:.1f}x the floor at 10,000 x 2"
    )


def different_laws(big: bool, pairs: int = 3) -> None:
    """How `check` grows with a rule base of different laws (synth.rule_base_different: one
    provision's five conditions under expressions that differ even in the engine's normal form, so
    no two share engine rules as copies do): wall time and peak memory of one `check` in a fresh
    process, at 16, 256 and 2,000 provisions (and 10,000 with --big).  2,000 is also taken in turns
    with the stock rule base, `pairs` times, for the ratio."""
    sizes = [16, 256, 2_000] + ([10_000] if big else [])
    profile = Path(__file__).resolve().parents[1] / "scenarios" / "people" / "dual-national-under-investigation.json"
    print("\ndifferent laws (check, one run each, whole process; wall s / peak MiB):")
    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        commands = {}
        for size in sizes:
            rules = Path(folder) / f"different-{size}"
            synth.rule_base_different(rules, size)
            commands[size] = [str(BIN / "eligibility"), "check", str(profile), "--on", "2024-08-01"]
            commands[size] += ["--rules", str(rules)]
            wall, peak = measured(commands[size])
            rows[size] = (wall, peak)
            print(f"  {size:>7,} provisions: {wall:6.2f} s  {peak / 2**20:7.0f} MiB")
        ratios = []
        for _ in range(pairs):
            stock, _ = measured(commands[16])
            different, _ = measured(commands[2_000])
            ratios.append(different / stock)
    print(
        f"  2,000 / the stock rule base, {pairs} pairs taking turns: median {statistics.median(ratios):.1f}x "
        f"({min(ratios):.1f}x to {max(ratios):.1f}x); peak {rows[2_000][1] / 2**30:.2f} GiB  "
        "(target: within 15x and under 1 GiB)"
    )
    if big:
        print(f"  10,000: peak {rows[10_000][1] / 2**30:.2f} GiB  (target: an answer within 4 GiB)")


def agreement(profiles: int = 500_000, sample: int = 300) -> None:
    """A million profile-dates (500,000 profiles x 2 dates, `--jobs 2`) still agree with `check`:
    300 rows drawn at random (a fixed seed), each compared with `check` of the same profile on the
    same date (statuses, would-qualify and missing facts).  With --big only: it takes minutes."""
    import json
    import random

    print(f"\n{profiles * len(DATES):,} profile-dates against check, {sample} rows drawn at random:")
    with tempfile.TemporaryDirectory() as folder:
        people = Path(folder) / "people.jsonl"
        write_population(people, profiles, seed=4)
        rows = Path(folder) / "rows.jsonl"
        wall, peak = batch_run(people, 2, keep=rows)
        print(f"  batch --jobs 2: {wall:.0f} s, peak {peak / 2**20:.0f} MiB")
        chosen = sorted(random.Random(1).sample(range(profiles * len(DATES)), sample))
        lines = {}
        with open(people, encoding="utf-8") as source:
            wanted = {n // len(DATES) for n in chosen}
            for number, line in enumerate(source):
                if number in wanted:
                    lines[number] = line
        rules = api.rule_base()
        disagree = 0
        with open(rows, encoding="utf-8") as written:
            picked = iter(chosen)
            following = next(picked, None)
            for n, line in enumerate(written):
                if n != following:
                    continue
                row = json.loads(line)
                report = api.check(json.loads(lines[n // len(DATES)]), row["on"], rules)
                expected = {
                    "statuses": report.statuses(),
                    "would_qualify": {p.id: p.would_qualify for p in report.provisions},
                    "missing": {p.id: p.missing for p in report.provisions if p.missing},
                }
                got = {k: row[k] for k in expected}
                disagree += got != expected
                following = next(picked, None)
        print(f"  rows that differ from check: {disagree} of {sample}")


def formats(size: int = 100_000) -> None:
    """The rows as JSON Lines, CSV and Parquet: file sizes, and DuckDB counting the summary from
    the CSV and from the Parquet file (the queries of docs/batch.md), each checked against the
    other."""
    import re

    try:
        import duckdb
    except ImportError:
        print("\n  duckdb is not installed: the formats were skipped (pip install -e '.[test]')")
        return
    text = (Path(__file__).resolve().parents[1] / "docs" / "batch.md").read_text(encoding="utf-8")
    queries = dict(re.findall(r"<!-- query: (\w+) -->\n```sql\n(.*?)```", text, re.S))
    print(f"\nthe rows for analysts ({size:,} profiles x {len(DATES)} dates):")
    with tempfile.TemporaryDirectory() as folder:
        people = Path(folder) / "people.jsonl"
        write_population(people, size, seed=3)
        outputs = {"JSON Lines": ("rows.jsonl", ()), "CSV": ("rows.csv", ("--format", "csv"))}
        outputs["Parquet"] = ("rows.parquet", ("--format", "parquet"))
        for name, (file, extra) in outputs.items():
            wall, _ = batch_run(people, 2, keep=Path(folder) / file, extra=extra)
            print(
                f"  {name:<10} {(Path(folder) / file).stat().st_size / 2**20:8.1f} MiB  (batch --jobs 2: {wall:.1f} s)"
            )
        found = {}
        for name, query in queries.items():
            times = []
            for _ in range(3):
                started = time.perf_counter()
                con = duckdb.connect()
                con.execute(f"SET file_search_path = '{folder}'")
                found[name] = con.sql(query).fetchall()
                times.append(time.perf_counter() - started)
            print(f"  DuckDB, the summary from the {name}: median {statistics.median(times) * 1000:.0f} ms")
        print(f"  the two queries agree: {found.get('parquet') == found.get('csv')}")


def cpu_of(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user and system, of the command and every process it waited for)
    and the peak memory of the largest of those processes, in bytes, by GNU time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as figures:
        started = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-o", figures.name, "-f", "%U %S %M", *command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - started
        user, system, peak = figures.read().split()[-3:]
    return wall, float(user) + float(system), int(peak) * 1024


def dask_cluster(size: int) -> None:
    """Dask against `batch --jobs 2` on one file: a local cluster of two worker processes writing
    the rows with to_textfiles (benchmarks/dask_cluster.py), the CPU time of all its processes
    against batch's, and the rows compared (the file put first as `source`)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("\n  distributed is not installed: Dask was skipped (pip install -e '.[dask]')")
        return
    print(f"\nDask against batch --jobs 2 ({size:,} profiles x {len(DATES)} dates, one file, whole processes):")
    days = [d.isoformat() for d in DATES]
    with tempfile.TemporaryDirectory() as folder:
        people = Path(folder) / "people.jsonl"
        write_population(people, size, seed=4)
        rows = Path(folder) / "rows.jsonl"
        batch_command = [str(BIN / "eligibility"), "batch", str(people), "-o", str(rows), "--jobs", "2", "--quiet"]
        batch_command += [a for d in days for a in ("--on", d)]
        script = Path(__file__).resolve().parent / "dask_cluster.py"
        out = Path(folder) / "dask"
        dask_command = [sys.executable, str(script), str(people), str(out), *days]
        figures: dict[str, list[tuple[float, float, int]]] = {"batch": [], "dask": []}
        for _ in range(3):  # taking turns
            figures["batch"].append(cpu_of(batch_command))
            shutil.rmtree(out, ignore_errors=True)
            figures["dask"].append(cpu_of(dask_command))
        head = '{"source":' + json.dumps(str(people)) + ","
        written = [line for part in sorted(out.glob("part-*.jsonl")) for line in part.read_text().split("\n") if line]
        expected = [head + line[1:] for line in rows.read_text().split("\n") if line]
        partitions = len(list(out.glob("part-*.jsonl")))
    for name, runs in figures.items():
        wall, cpu, peak = min(runs, key=lambda r: r[1])
        label = "batch --jobs 2" if name == "batch" else f"Dask, 2 workers ({partitions} partitions)"
        print(f"  {label:<34} wall {wall:5.1f} s  CPU {cpu:6.1f} s  largest process {peak / 2**20:5.0f} MiB")
    ratios = [d[1] / b[1] for b, d in zip(figures["batch"], figures["dask"], strict=True)]
    least = min(d[1] for d in figures["dask"]) / min(b[1] for b in figures["batch"])
    print(
        f"  Dask's CPU / batch's, pair by pair: {', '.join(f'{r:.2f}x' for r in ratios)}; median "
        f"{statistics.median(ratios):.2f}x, the least of each {least:.2f}x  (target: within 1.2x)"
    )
    print(f"  the rows are identical: {written == expected} ({len(written):,} rows)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="population for the throughput figures")
    parser.add_argument("--big", action="store_true", help="memory up to 1,000,000 profiles instead of 100,000")
    parser.add_argument("--runs", type=int, default=15, help="runs per cold-start command")
    parser.add_argument(
        "--only",
        choices=("evaluation", "batch", "cold", "size", "different", "formats", "agreement", "dask"),
        help="measure one part only",
    )
    args = parser.parse_args()
    began = time.perf_counter()
    print(
        f"eligibility benchmark: {args.n} synthetic profiles (seed 1) x {len(DATES)} dates, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )

    # Every command below runs as a whole process: on a byte-compiled package, as installed.
    compiled = compile_package()
    print(f"bytecode compiled in {compiled}")
    if args.only in (None, "evaluation"):
        evaluation(args.n)
    if args.only in (None, "batch"):
        batch(args.n, args.big)
    if args.only in (None, "cold"):
        cold_start(args.runs)
    if args.only in (None, "size"):
        rule_base_size()
    if args.only in (None, "different"):
        different_laws(args.big)
    if args.big and args.only in (None, "agreement"):
        agreement()
    if args.only in (None, "formats"):
        formats()
    if args.only in (None, "dask"):
        dask_cluster(200_000 if args.big else 100_000)
    print(f"\nbenchmark took {time.perf_counter() - began:.0f} s")


def evaluation(n: int) -> None:
    """Profile-dates per second in this process, on validated profiles (the articles' account,
    which the hand-written baseline copies)."""
    evaluator = api.evaluator(api.rule_base().under(Evidence("articles")))
    started = time.perf_counter()
    profiles = [parse_profile(data) for data in synth.population(n, 1)]
    validate = (time.perf_counter() - started) / n * 1e6
    cases = [(p, d) for p in profiles for d in DATES]
    gc.freeze()
    three = list(baseline.PROVISIONS)
    figures = rates(
        {
            "engine, all provisions": in_chunks(evaluator.judge_many, evaluator.forget),
            "python, all provisions": in_chunks(lambda c: evaluator.judge_many(c, engine=False), evaluator.forget),
            "engine, 3 provisions": in_chunks(lambda c: evaluator.judge_many(c, three), evaluator.forget),
            "python, 3 provisions": in_chunks(lambda c: evaluator.judge_many(c, three, engine=False), evaluator.forget),
            "hand-written, 3 provisions": lambda c: [baseline.judge(p, d) for p, d in c],
            **vectorised(profiles),
        },
        cases,
    )
    print(
        "\nprofile-dates per second, one core (evaluation only; profiles already validated, "
        f"{validate:.0f} us each to validate):"
    )
    for name, value in figures.items():
        print(f"  {name:<28} {value:>10,.0f}")
    limit = figures["hand-written, 3 provisions"]
    print(
        f"  engine / hand-written, same 3 provisions:  {limit / figures['engine, 3 provisions']:.1f}x slower"
        "  (target: within 10x)"
    )
    print(
        f"  python / hand-written, same 3 provisions:  {limit / figures['python, 3 provisions']:.1f}x slower"
        "  (target: within 3x)"
    )
    print(
        f"  engine / python, all provisions:           "
        f"{figures['python, all provisions'] / figures['engine, all provisions']:.1f}x slower"
    )
    if "numpy, 3 provisions" in figures:
        for name in ("numpy, 3 provisions", "numpy, with its columns"):
            print(f"  {name} / hand-written: {figures[name] / limit:.1f}x faster")
        print(
            f"  engine, 3 provisions / numpy with its columns: "
            f"{figures['numpy, with its columns'] / figures['engine, 3 provisions']:.1f}x slower"
        )
    else:
        print("  numpy is not installed: the vectorised baseline was skipped (pip install -e '.[bench]')")


def vectorised(profiles: list) -> dict[str, object]:
    """The numpy baseline, if numpy is installed: on columns made once (OpenFisca's input), and
    making the columns from the validated profiles each time."""
    try:
        import baseline_numpy
    except ImportError:
        return {}
    columns = baseline_numpy.Columns(profiles)
    return {
        "numpy, 3 provisions": lambda c: [baseline_numpy.judge(columns, d) for d in DATES],
        "numpy, with its columns": lambda c: [
            baseline_numpy.judge(made, d) for made in [baseline_numpy.Columns(profiles)] for d in DATES
        ],
    }


def batch(n: int, big: bool) -> None:
    """`eligibility batch` end to end, and its memory on a small and a large population."""
    with tempfile.TemporaryDirectory() as folder:
        people = Path(folder) / "people.jsonl"
        write_population(people, n)
        print(f"\neligibility batch, end to end ({n} profiles x {len(DATES)} dates, reading, validating, writing):")
        rows = Path(folder) / "rows.jsonl"
        walls = {}
        for jobs in (1, 2):
            wall, peak = batch_run(people, jobs, keep=rows if jobs == 1 else None)
            walls[jobs] = wall
            print(
                f"  --jobs {jobs}: {wall:6.1f} s  {n * len(DATES) / wall:>8,.0f} profile-dates/s"
                f"  ({n * len(DATES) / wall / jobs:,.0f} per core)  peak {peak / 2**20:.0f} MiB"
            )
        print(
            "  against the I/O floor (io_floor.py: parse every input line, write the same bytes) and the stack's\n"
            "  floor (stack_floor.py: also start pydantic and the engine, validate each distinct field text once),\n"
            "  3 rounds each:"
        )
        floors = {
            size: against_floor(Path(folder), size, days) for size, days in ((10_000, DATES), (100_000, DATES[:1]))
        }
        starting(Path(folder), floors[10_000])

        sizes = [10_000, 1_000_000] if big else [10_000, 100_000]
        peaks = []
        for size in sizes:
            write_population(people, size)
            wall, peak = batch_run(people, 2)
            peaks.append(peak)
            print(f"  memory, {size:>9,} profiles, --jobs 2: peak {peak / 2**20:.0f} MiB ({wall:.0f} s)")
        print(
            f"  growth from {sizes[0]:,} to {sizes[1]:,} profiles: {(peaks[1] - peaks[0]) / 2**20:+.1f} MiB "
            "(target: within 20 MiB)"
        )


def cold_start(runs: int) -> None:
    """The cold wall time of `eligibility check` against what it is built on."""
    python = sys.executable
    compiled = compile_package()
    check_args = ["eligibility", "check", str(EXAMPLE), "--on", "2024-08-01"]
    modules = dependency_modules(check_args)
    commands = {
        "check": [str(BIN / "eligibility"), *check_args[1:]],
        "floor": [python, str(Path(__file__).resolve().parent / "floor.py"), *check_args[1:]],
        "modules": [python, "-c", f"import importlib\nfor m in {modules!r}: importlib.import_module(m)"],
        "dependencies": [python, "-c", "import durable.engine, pydantic, typer, rich.console"],
        "package": [python, "-c", "import eligibility"],
        "bare": [python, "-c", "pass"],
    }
    found = cold(commands, runs)
    median = {name: value[1] for name, value in found.items()}
    print(f"\ncold wall time, {runs} runs each, taking turns (fastest / median); bytecode compiled in {compiled}:")
    labels = {
        "check": "eligibility check (example)",
        "floor": "floor.py check (the stack alone)",
        "modules": f"import the {len(modules)} dependency modules check loads",
        "dependencies": "import durable.engine, pydantic, typer, rich.console",
        "package": "python -c 'import eligibility'",
        "bare": "python -c pass",
    }
    for name, (fastest, middle) in found.items():
        print(f"  {labels[name]:<54} {fastest:5.0f} / {middle:5.0f} ms")
    print(f"  check, median: {median['check']:.0f} ms  (target: under 250 ms)")
    print(f"  check / dependency modules it loads: {median['check'] / median['modules']:.2f}x  (target: within 1.5x)")
    print(f"  check / the four top-level imports:  {median['check'] / median['dependencies']:.2f}x")
    print(f"  check / the stack's floor:           {median['check'] / median['floor']:.2f}x")
    print(
        f"  the floor / the four imports:        {median['floor'] / median['dependencies']:.2f}x   "
        f"the floor / the modules check loads: {median['floor'] / median['modules']:.2f}x"
    )
    print(f"  check / bare python:                 {median['check'] / median['bare']:.1f}x")


SIZES = (16, 256, 2_000)


def rule_base_size(people: int = 500) -> None:
    """How the cost grows with the rule base: generated rule bases of copies of the bundled
    provisions (synth.rule_base_copies), each measured once, in turn, in a fresh process.  Copies
    share their engine rules with their originals; `unshared.py` measures the same commands with
    every provision compiled into rules of its own, the engine's worst case."""
    print("\nrule-base size (generated copies of the 16 provisions; one run each, whole process; wall s / peak MiB):")
    print(
        f"  {'provisions':>10} {'load':>12} {'check':>14} {'timeline':>14} {'batch':>26}"
        f" {'check, unshared':>16} {'timeline, unshared':>19}"
    )
    python = sys.executable
    unshared = [python, str(Path(__file__).resolve().parent / "unshared.py")]
    found: dict[int, dict[str, tuple[float, int]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        population = Path(folder) / "people.jsonl"
        write_population(population, people)
        for size in SIZES:
            rules = Path(folder) / f"rules-{size}"
            synth.rule_base_copies(rules, size)
            example = [str(EXAMPLE), "--rules", str(rules), "--format", "json"]
            row = {
                "load": measured([python, "-c", f"from eligibility import api; api.rule_base({str(rules)!r})"]),
                "check": measured([str(BIN / "eligibility"), "check", *example, "--on", "2024-08-01"]),
                "timeline": measured([str(BIN / "eligibility"), "timeline", *example]),
                "batch": batch_run(population, 1, rules),
                "check, unshared": measured([*unshared, "check", *example, "--on", "2024-08-01"]),
                "timeline, unshared": measured([*unshared, "timeline", *example]),
            }
            found[size] = row
            rate = people * len(DATES) / row["batch"][0]
            print(
                f"  {size:>10,} {row['load'][0]:>6.2f} {row['load'][1] / 2**20:>5.0f} "
                f"{row['check'][0]:>7.2f} {row['check'][1] / 2**20:>6.0f} "
                f"{row['timeline'][0]:>7.2f} {row['timeline'][1] / 2**20:>6.0f} "
                f"{row['batch'][0]:>7.2f} {row['batch'][1] / 2**20:>6.0f} {rate:>8,.0f}/s "
                f"{row['check, unshared'][0]:>8.2f} {row['check, unshared'][1] / 2**20:>6.0f} "
                f"{row['timeline, unshared'][0]:>11.2f} {row['timeline, unshared'][1] / 2**20:>6.0f}"
            )
        checked = subprocess.run(
            [
                str(BIN / "eligibility"),
                "rules",
                "check",
                "--rules",
                str(Path(folder) / f"rules-{SIZES[-1]}"),
                "--width",
                "300",
            ],
            cwd=folder,  # no scenarios folder here: the copies have no scenarios of their own
            capture_output=True,
            text=True,
        )
        last = checked.stdout.strip().splitlines()[-1] if checked.stdout.strip() else checked.stderr.strip()
        print(f"  rules check at {SIZES[-1]:,} provisions: exit {checked.returncode}: {last}")
    small, large = found[SIZES[0]], found[SIZES[-1]]
    times = SIZES[-1] / SIZES[0]
    for name in large:
        print(
            f"  {name:<18} {SIZES[-1]:,} / {SIZES[0]} provisions ({times:.0f}x the rule base): "
            f"{large[name][0] / small[name][0]:.1f}x the time"
        )
    ratio = large["check"][0] / small["check"][0]
    print(f"  check at {SIZES[-1]:,} provisions / the stock rule base: {ratio:.1f}x  (target: within 15x)")
    worst = large["check, unshared"][0] / small["check"][0]
    print(f"  the same, every provision with rules of its own / the stock rule base: {worst:.1f}x")
    for name in ("check", "check, unshared"):
        per = (large[name][1] - small[name][1]) / (SIZES[-1] - SIZES[0]) / 1024
        print(f"  memory per provision, {name}: {per:,.0f} KiB")


if __name__ == "__main__":
    main()
