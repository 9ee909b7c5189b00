"""`eligibility batch` and `eligibility synth`: order, equivalence with `check`, invalid lines,
empty input, the summary, and reproducible populations."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from pathlib import Path

import pytest

from eligibility import api
from eligibility.explaining.report import STATUSES
from eligibility.law.schema import never_applies
from eligibility.people.profile import parse_profile
from eligibility.runners import synth
from eligibility.runners.batch import ROW, Job, judge_lines

from .conftest import PEOPLE, one_line_error

DATES = ["2022-10-01", "2024-08-01", "2026-03-10"]


def _population(tmp_path: Path, n: int = 40, seed: int = 7) -> Path:
    """Synthetic people and every scenario person, one per line."""
    path = tmp_path / "people.jsonl"
    lines = list(synth.lines(n, seed))
    lines += [json.dumps(json.loads(p.read_text())) + "\n" for p in sorted(PEOPLE.glob("*.json"))]
    path.write_text("".join(lines))
    return path


def _rows(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def _expected(profile_data: dict, day: str) -> dict:
    """What `check` says, projected onto a batch row."""
    report = api.check(profile_data, day)
    return {
        "on": day,
        "statuses": {p.id: p.status for p in report.provisions},
        "would_qualify": {p.id: p.would_qualify for p in report.provisions},
        "missing": {p.id: p.missing for p in report.provisions if p.missing},
        "readings": {f"{p.id}@{r.id}": r.status for p in report.provisions for r in p.other_readings},
    }


def test_every_row_is_what_check_says_in_input_order(cli, tmp_path):
    people = _population(tmp_path)
    args = ["batch", people] + [a for d in DATES for a in ("--on", d)]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    rows = _rows(result.stdout)
    inputs = [json.loads(line) for line in people.read_text().splitlines()]
    assert [(r["line"], r["on"]) for r in rows] == [(n, d) for n in range(1, len(inputs) + 1) for d in DATES]
    for row in rows:
        ROW.validate_python(row)
        data = inputs[row["line"] - 1]
        assert row["profile"] == data.get("id", f"line {row['line']}")
        assert {k: row[k] for k in ("on", "statuses", "would_qualify", "missing", "readings")} == _expected(
            data, row["on"]
        )


def test_jobs_give_the_same_bytes_as_one_process(cli, tmp_path):
    people = tmp_path / "people.jsonl"
    people.write_text("".join(synth.lines(700, 3)))  # several chunks per worker
    one = cli("batch", people, "--on", "2024-08-01", "--on", "2025-06-01")
    two = cli("batch", people, "--on", "2024-08-01", "--on", "2025-06-01", "--jobs", "2")
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout and len(one.stdout.splitlines()) == 1400


def test_full_rows_are_the_check_reports(cli, tmp_path):
    people = tmp_path / "people.jsonl"
    people.write_text("".join(json.dumps(json.loads(p.read_text())) + "\n" for p in sorted(PEOPLE.glob("*.json"))[:6]))
    result = cli("batch", people, "--on", "2024-08-01", "--full")
    assert result.exit_code == 0, result.stderr
    for number, row in enumerate(_rows(result.stdout), start=1):
        data = json.loads(people.read_text().splitlines()[number - 1])
        expected = api.check(data, "2024-08-01").model_dump(mode="json")
        expected["profile"] = data.get("id", f"line {number}")
        assert row == {"line": number, "report": expected}


def test_an_invalid_line_stops_the_run_with_its_line_and_field_and_writes_no_file(cli, tmp_path):
    people = tmp_path / "people.jsonl"
    lines = list(synth.lines(300, 1))
    lines[200] = '{"citizenships": [{"country": "XX"}]}\n'
    people.write_text("".join(lines))
    out = tmp_path / "results.jsonl"
    result = cli("batch", people, "--on", "2024-08-01", "-o", out)
    assert result.exit_code == 2
    line = one_line_error(result)
    assert line.startswith(f"eligibility: {people}:201: citizenships[0].country: expected")
    assert not out.exists() and not list(tmp_path.glob("*partial"))


def test_skip_invalid_reports_each_bad_line_and_judges_the_rest(cli, tmp_path):
    people = tmp_path / "people.jsonl"
    lines = list(synth.lines(10, 1))
    lines[2] = "{not json\n"
    lines[5] = '{"citizenship": []}\n'
    people.write_text("".join(lines))
    out = tmp_path / "results.jsonl"
    result = cli("batch", people, "--on", "2024-08-01", "-o", out, "--skip-invalid", "--summary", "--format", "json")
    assert result.exit_code == 0, result.stderr
    errors = result.stderr.strip().splitlines()
    assert errors[0].startswith(f"eligibility: {people}:3: not valid JSON") and errors[0].endswith("(line skipped)")
    assert errors[1].startswith(f"eligibility: {people}:6: citizenship: unknown field")
    assert errors[2] == f"eligibility: skipped 2 invalid line(s) of {people}"
    assert [r["line"] for r in _rows(out.read_text())] == [1, 2, 4, 5, 7, 8, 9, 10]
    summary = json.loads(result.stdout)
    assert (summary["profiles"], summary["skipped"]) == (8, 2)


def test_empty_input_and_blank_lines(cli, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = cli("batch", empty, "--on", "2024-08-01", "--summary", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["profiles"] == 0
    assert cli("batch", empty, "--on", "2024-08-01").stdout == ""
    spaced = tmp_path / "spaced.jsonl"
    spaced.write_text("\n" + next(synth.lines(1, 1)) + "   \n\n" + next(synth.lines(1, 2)))
    rows = _rows(cli("batch", spaced, "--on", "2024-08-01").stdout)
    assert [r["line"] for r in rows] == [2, 5]


def test_the_summary_counts_the_rows_and_the_changes(cli, tmp_path):
    people = _population(tmp_path, n=60)
    out = tmp_path / "results.jsonl"
    result = cli(
        "batch", people, "--on", "2024-08-01", "--on", "2025-01-01", "-o", out, "--summary", "--format", "json"
    )
    assert result.exit_code == 0, result.stderr
    rows = _rows(out.read_text())
    summary = json.loads(result.stdout)
    for block in summary["dates"]:
        counted = Counter(
            (pid, status) for r in rows if r["on"] == block["on"] for pid, status in r["statuses"].items()
        )
        assert block["counts"] == {pid: {s: counted[(pid, s)] for s in STATUSES} for pid in block["counts"]}
    by_line = {}
    for r in rows:
        by_line.setdefault(r["line"], []).append(r["statuses"])
    (change,) = summary["changes"]
    assert (change["from"], change["to"]) == ("2024-08-01", "2025-01-01")
    for pid, number in change["changed"].items():
        assert number == sum(1 for a, b in by_line.values() if a[pid] != b[pid])
    text = cli("batch", people, "--on", "2024-08-01", "--on", "2025-01-01", "--summary", "--width", "100")
    assert "changed status from 2024-08-01 to 2025-01-01" in text.stdout
    assert '"statuses"' not in text.stdout  # --summary without -o prints only the summary


def test_standard_input_and_output(cli, tmp_path):
    from typer.testing import CliRunner

    from eligibility.cli import app

    text = "".join(synth.lines(5, 9))
    result = CliRunner().invoke(app, ["batch", "-", "--on", "2024-08-01", "-o", "-"], input=text)
    assert result.exit_code == 0
    assert [r["profile"] for r in _rows(result.stdout)] == [f"synth-9-{i}" for i in range(5)]


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--on", "2024-02-30"], "--on: expected"),
        (["--on", "2024-08-01", "--jobs", "-1"], "--jobs: expected 0 (one per core) or a positive number"),
        (["--on", "2024-08-01", "--format", "xml"], "--format: expected text, json, csv or parquet"),
    ],
)
def test_bad_options_are_one_line(cli, tmp_path, args, expected):
    people = tmp_path / "people.jsonl"
    people.write_text(next(synth.lines(1, 1)))
    assert expected in one_line_error(cli("batch", people, *args))


def test_a_missing_input_is_one_line(cli, tmp_path):
    line = one_line_error(cli("batch", tmp_path / "nobody.jsonl", "--on", "2024-08-01"))
    assert "nobody.jsonl: no such JSON Lines file of profiles" in line


def test_judge_lines_is_a_pure_function_of_its_inputs():
    job = Job(source="x.jsonl", dates=("2024-08-01",))
    lines = [(n + 1, line.encode()) for n, line in enumerate(synth.lines(20, 5))]
    assert judge_lines(job, lines) == judge_lines(job, lines)
    assert judge_lines(job, lines[10:]) == judge_lines(job, lines)[10:]


# --- synth -------------------------------------------------------------------------------------


def test_synth_is_reproducible_and_prefix_stable(cli):
    first = cli("synth", "--n", "50", "--seed", "4").stdout
    again = cli("synth", "--n", "50", "--seed", "4").stdout
    longer = cli("synth", "--n", "80", "--seed", "4").stdout
    rest = cli("synth", "--n", "30", "--seed", "4", "--start", "50").stdout
    assert first == again and longer.startswith(first) and longer == first + rest
    assert cli("synth", "--n", "50", "--seed", "5").stdout != first


@pytest.mark.parametrize("evidence", ["articles", "all"])
def test_synthetic_people_are_valid_profiles_and_reach_every_status(evidence):
    seen = Counter()
    days = ["2022-10-01", "2022-11-13", "2024-08-01", "2025-06-01", "2025-08-01", "2026-06-01"]
    for data in synth.population(400, 1):
        profile = parse_profile(json.loads(json.dumps(data)), "synth")
        for day in days:
            for p in api.check(profile, day, evidence=evidence).provisions:
                seen[(p.id, p.status)] += 1
    rules = api.rule_base(use=evidence)
    for pid, provision in rules.provisions.items():
        if provision.in_force.unsupported is not None:
            # The record supports it on no day (R4 under the record): never in force, for anyone.
            assert {s for (p, s) in seen if p == pid} == {"not_in_force"}, pid
            continue
        # No source among the articles reports R12 enacted, so under them it never applies; nor,
        # under the record, does R4, whose very existence the sources dispute (contested).
        cannot_apply = never_applies(provision) is not None
        assert seen[(pid, "does_not_apply")] > 0, pid
        assert seen[(pid, "undetermined")] > 0, pid
        assert (seen[(pid, "applies")] > 0) == (not cannot_apply), pid


def test_would_qualify_through_a_relative_counts_his_own_would_qualify(cli, tmp_path):
    # Sita's husband serves under contract; on 2023-12-01 the decree of 4 January 2024 is not
    # yet in force, so neither applies, but were it in force both would qualify.
    people = tmp_path / "people.jsonl"
    people.write_text(json.dumps(json.loads((PEOPLE / "nepali-soldier-wife.json").read_text())) + "\n")
    result = cli("batch", people, "--on", "2023-12-01")
    assert result.exit_code == 0, result.stderr
    (row,) = _rows(result.stdout)
    assert row["statuses"]["ru.citizenship.family-members"] == "not_in_force"
    assert row["would_qualify"]["ru.citizenship.family-members"] == "yes"
    report = api.check(PEOPLE / "nepali-soldier-wife.json", "2023-12-01").provision("ru.citizenship.family-members")
    assert (report.would_qualify, report.reason.endswith("The person would qualify if it were.")) == ("yes", True)


def test_batch_refuses_to_write_over_its_input(cli, tmp_path):
    people = tmp_path / "people.jsonl"
    people.write_text("".join(synth.lines(5, 1)))
    before = people.read_bytes()
    result = cli("batch", people, "--on", "2024-08-01", "-o", people)
    assert result.exit_code == 2
    assert "expected an output file other than the input" in one_line_error(result)
    assert people.read_bytes() == before


def test_batch_writes_through_a_symlink_and_keeps_it(cli, tmp_path):
    people = tmp_path / "people.jsonl"
    people.write_text("".join(synth.lines(5, 1)))
    real = tmp_path / "real.jsonl"
    real.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    result = cli("batch", people, "--on", "2024-08-01", "-o", link)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and len(real.read_text().splitlines()) == 5


def test_batch_streams_into_a_named_pipe_without_replacing_it(cli, tmp_path):
    import os
    import stat
    import threading

    people = tmp_path / "people.jsonl"
    people.write_text("".join(synth.lines(5, 1)))
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    result = cli("batch", people, "--on", "2024-08-01", "-o", pipe)
    reader.join(timeout=30)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert len(received[0].decode().splitlines()) == 5


def test_two_runs_to_one_target_use_different_temporary_files(tmp_path):
    from eligibility.foundations.files import output_file

    target = tmp_path / "out.jsonl"
    with output_file(str(target), "results") as first, output_file(str(target), "results") as second:
        assert first.name != second.name
        first.write("a\n")
        second.write("b\n")
    assert target.read_text() in ("a\n", "b\n")
    assert not list(tmp_path.glob("*partial"))


def test_an_interrupted_write_leaves_no_file_that_looks_complete(tmp_path):
    from eligibility.foundations.files import output_file

    target = tmp_path / "people.jsonl"
    with pytest.raises(KeyboardInterrupt):
        with output_file(str(target), "population") as sink:
            sink.write("{}\n")
            raise KeyboardInterrupt
    assert not target.exists() and not list(tmp_path.glob("*partial"))


def test_a_failed_write_is_one_line_and_leaves_nothing(tmp_path):
    from eligibility.foundations.errors import OutputError
    from eligibility.foundations.files import output_file

    target = tmp_path / "people.jsonl"
    with pytest.raises(OutputError, match="so nothing was written: No space left on device"):
        with output_file(str(target), "population"):
            raise OSError(28, "No space left on device")
    assert not target.exists() and not list(tmp_path.glob("*partial"))


def test_jobs_beyond_the_cores_are_capped_with_a_message(cli, tmp_path):
    from eligibility.runners.batch import default_jobs

    people = tmp_path / "people.jsonl"
    people.write_text("".join(synth.lines(10, 1)))
    result = cli("batch", people, "--on", "2024-08-01", "--jobs", "100000")
    assert result.exit_code == 0, result.stderr
    assert (
        f"--jobs 100000 is more than the {default_jobs()} cores this process may use; using {default_jobs()}"
        in result.stderr
    )
    assert len(result.stdout.splitlines()) == 10


@pytest.mark.parametrize("width", ["0", "-3", "19"])
def test_a_width_under_20_columns_is_refused(cli, width):
    result = cli("check", PEOPLE / "ukrainian-citizen.json", "--on", "2024-08-01", "--width", width)
    assert result.exit_code == 2
    assert "--width" in one_line_error(result) and "greater than or equal to 20" in one_line_error(result)


@pytest.mark.parametrize("signame, code", [("SIGTERM", 143), ("SIGINT", 130)])
def test_a_signal_stops_a_two_process_batch_cleanly_and_leaves_no_output(tmp_path, signame, code):
    """The parent stops its workers, removes its temporary file and says so in one line; no
    worker prints a traceback; the target keeps what it held before."""
    import os
    import signal
    import subprocess
    import sys
    import time

    people = tmp_path / "people.jsonl"
    people.write_text("".join(synth.lines(40_000, 2)))
    out = tmp_path / "out.jsonl"
    out.write_text("earlier results\n")
    entry = [sys.executable, "-c", "from eligibility.cli import main; main()"]
    process = subprocess.Popen(
        [*entry, "batch", str(people), "--on", "2024-08-01", "--jobs", "2", "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        start_new_session=True,  # its own process group: the test can end all it started
    )
    try:
        deadline = time.monotonic() + 60
        while (
            not list(tmp_path.glob(".out.jsonl.*.partial")) and process.poll() is None and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        time.sleep(0.5)
        assert process.poll() is None, "the run ended before it could be interrupted"
        process.send_signal(getattr(signal, signame))
        _, err = process.communicate(timeout=60)
        time.sleep(0.5)  # any worker still alive would print now
        time.sleep(1)
        with pytest.raises(ProcessLookupError):  # no worker outlived its parent
            os.killpg(process.pid, 0)
    finally:  # whatever happened above, nothing this test started outlives it
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    text = err.decode()
    assert process.returncode == code
    assert text.strip() == (
        f"eligibility: interrupted by {signame}: the run stopped before it finished; "
        f"{out} was not written (it is as it was before)"
    )
    assert out.read_text() == "earlier results\n"
    assert not [p for p in os.listdir(tmp_path) if "partial" in p]


@pytest.mark.parametrize(
    "command",
    [
        ["synth", "--n", "3"],
        ["check", str(PEOPLE / "ukrainian-citizen.json"), "--on", "2024-08-01"],
        ["check", str(PEOPLE / "ukrainian-citizen.json"), "--on", "2024-08-01", "--format", "json"],
    ],
    ids=["synth", "check text", "check json"],
)
def test_a_full_standard_output_is_one_line_and_exit_4(command):
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        run = subprocess.run(
            [sys.executable, "-c", "from eligibility.cli import main; main()", *command],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=120,
        )
    assert run.returncode == 4
    assert run.stderr.decode().strip() == (
        "eligibility: <standard output>: could not write the output, it stops short: No space left on device"
    )


def test_a_file_size_limit_is_one_line_exit_4_and_leaves_nothing(tmp_path):
    import resource
    import subprocess
    import sys

    target = tmp_path / "people.jsonl"
    run = subprocess.run(
        [sys.executable, "-c", "from eligibility.cli import main; main()", "synth", "--n", "5000", "-o", str(target)],
        stderr=subprocess.PIPE,
        timeout=120,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000)),
    )
    assert run.returncode == 4
    assert run.stderr.decode().strip() == (
        f"eligibility: {target}: could not write the population, so nothing was written: File too large"
    )
    assert not list(tmp_path.iterdir())


def test_synth_leaves_each_fact_out_at_the_documented_rate():
    """docs/batch.md: each fact left out with probability 0.15 (plus the 4% known almost nothing
    about); 'no relatives' is written as an empty list, not left out."""
    people = list(synth.population(4000, 9))
    for key in ("citizenships", "residences", "service", "criminal_record", "family"):
        share = sum(1 for p in people if key not in p) / len(people)
        assert 0.12 <= share <= 0.22, (key, share)
    assert sum(1 for p in people if p.get("family") == []) > len(people) / 2


def test_the_summary_splits_undetermined_by_cause_and_counts_any_of_groups(cli, tmp_path):
    """Each undetermined answer counted under each kind of unknown `check` gives it; a group
    counts a profile as 'some applies', 'none applies, some undetermined' or 'none applies'."""
    people = tmp_path / "people.jsonl"
    people.write_text("".join(synth.lines(40, 6)))
    group = ["ru.citizenship.contract-service", "ru.citizenship.discharged-soldiers", "ru.citizenship.family-members"]
    result = cli(
        "batch",
        people,
        "--on",
        "2024-08-01",
        "--summary",
        "--format",
        "json",
        "--any",
        f"ru-citizenship={','.join(group)}",
    )
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    expected: dict = {}
    slots = {"applies": 0, "undetermined": 0, "none": 0}
    for line in people.read_text().splitlines():
        report = api.check(json.loads(line), "2024-08-01")
        for p in report.provisions:
            for kind in {u.kind for u in p.unknowns} if p.status == "undetermined" else ():
                expected.setdefault(p.id, Counter())[kind] += 1
        found = {report.status(pid) for pid in group}
        slots["applies" if "applies" in found else "undetermined" if "undetermined" in found else "none"] += 1
    by = summary["dates"][0]["undetermined_by"]
    assert {pid: {k: n for k, n in kinds.items() if n} for pid, kinds in by.items()} == {
        pid: dict(c) for pid, c in expected.items()
    }
    (counted,) = summary["groups"]
    assert counted["name"] == "ru-citizenship" and counted["provisions"] == group
    assert {k: counted["dates"][0][k] for k in slots} == slots


@pytest.mark.parametrize(
    "value, words",
    [("nogroup", "expected NAME=ID,ID,..."), ("x=ru.contract.stateles", "did you mean 'ru.contract.stateless'?")],
)
def test_a_bad_any_group_is_one_line(cli, tmp_path, value, words):
    people = _population(tmp_path, 3)
    assert words in one_line_error(cli("batch", people, "--on", "2024-08-01", "--summary", "--any", value))


def test_a_new_output_file_gets_the_usual_permissions(cli, tmp_path):
    """Written whole through a private temporary file, it still ends with a new file's mode."""
    import os

    people = _population(tmp_path, 2)
    out = tmp_path / "rows.jsonl"
    assert cli("batch", people, "--on", "2024-08-01", "-o", out).exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask


def _queries() -> dict[str, str]:
    """The SQL of docs/batch.md, by the name in the comment above each block."""
    import re

    from .conftest import ROOT

    text = (ROOT / "docs" / "batch.md").read_text(encoding="utf-8")
    return dict(re.findall(r"<!-- query: (\w+) -->\n```sql\n(.*?)```", text, re.S))


def test_the_docs_duckdb_queries_over_parquet_and_csv_give_the_summary(cli, tmp_path, monkeypatch):
    """docs/batch.md's two queries, run as written over batch's Parquet file and its CSV of the
    same population, each give exactly the counts of batch --summary."""
    duckdb = pytest.importorskip("duckdb")
    pytest.importorskip("pyarrow")
    people = tmp_path / "people.jsonl"
    assert cli("synth", "--n", "300", "--seed", "7", "-o", people).exit_code == 0
    dates = ["--on", "2023-06-01", "--on", "2025-01-01"]
    assert cli("batch", people, *dates, "--format", "parquet", "-o", tmp_path / "rows.parquet").exit_code == 0
    assert cli("batch", people, *dates, "--format", "csv", "-o", tmp_path / "rows.csv").exit_code == 0
    summary = json.loads(cli("batch", people, *dates, "--summary", "--format", "json").stdout)
    expected = {
        (d["on"], pid, status): n
        for d in summary["dates"]
        for pid, counts in d["counts"].items()
        for status, n in counts.items()
        if n
    }
    queries = _queries()
    assert set(queries) == {"parquet", "csv"}
    monkeypatch.chdir(tmp_path)  # the queries name rows.parquet and rows.csv, as the docs write them
    for name, sql in queries.items():
        found = {(str(day), pid, status): n for day, pid, status, n in duckdb.sql(sql).fetchall()}
        assert found == expected, name


def test_parquet_needs_a_file_and_agrees_with_the_json_rows(cli, tmp_path):
    pyarrow_parquet = pytest.importorskip("pyarrow.parquet")
    people = tmp_path / "people.jsonl"
    assert cli("synth", "--n", "50", "--seed", "3", "-o", people).exit_code == 0
    out = tmp_path / "rows.parquet"
    assert cli("batch", people, "--on", "2024-08-01", "--format", "parquet", "-o", out, "--jobs", "2").exit_code == 0
    schema = pyarrow_parquet.read_schema(out)
    assert str(schema.field("ru.contract.stateless").type) == "dictionary<values=string, indices=int8, ordered=0>"
    assert str(schema.field("date").type) == "date32[day]" and "on" not in schema.names
    table = pyarrow_parquet.read_table(out).to_pylist()
    rows = [json.loads(line) for line in cli("batch", people, "--on", "2024-08-01").stdout.splitlines()]
    assert len(table) == len(rows) == 50
    for got, row in zip(table, rows, strict=True):
        assert (got["line"], got["profile"], got["date"].isoformat()) == (row["line"], row["profile"], row["on"])
        assert {pid: got[pid] for pid in row["statuses"]} == row["statuses"]
        assert sorted((m["provision"], m["fact"]) for m in got["missing"]) == sorted(
            (pid, fact) for pid, facts in row["missing"].items() for fact in facts
        )
    assert "expected -o FILE.parquet" in one_line_error(
        cli("batch", people, "--on", "2024-08-01", "--format", "parquet")
    )
    assert "expected --format parquet for a file named .parquet" in one_line_error(
        cli("batch", people, "--on", "2024-08-01", "-o", tmp_path / "x.parquet")
    )
    assert "a whole report is not a table), got parquet" in one_line_error(
        cli("batch", people, "--on", "2024-08-01", "--format", "parquet", "--full", "-o", out)
    )
