"""Nothing lost, nothing hangs, round three: each fault found by the third hostile pass, with the
test that failed before its fix.  Files the user may not write, inputs that are the output under
another name, links that loop, named pipes, long names and what a killed run leaves behind."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from eligibility.foundations.errors import InputError
from eligibility.foundations.files import output_file, read_file

from .conftest import PEOPLE, ROOT, one_line_error

RAM = PEOPLE / "nepali-contract-soldier.json"
NOBODY = 65534
ELIGIBILITY = [sys.executable, "-c", "from eligibility.cli import main; main()"]


def _as_nobody(work) -> int:
    """Runs `work` in a forked child as the unprivileged user, and returns its exit code: 0 when it
    returned True, 1 when it returned False, 2 when it raised.  (As root, permissions do not bind.)"""
    if os.getuid() != 0:
        return 0 if work() else 1
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        code = 2
        try:
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            code = 0 if work() else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status)


def _open_to_all(folder: Path) -> None:
    folder.chmod(0o777)
    for parent in folder.parents:
        if parent == Path("/tmp") or parent == parent.parent:
            break
        parent.chmod(parent.stat().st_mode | 0o005)


def _refused(path: Path, words: str) -> bool:
    try:
        with output_file(str(path), "results") as sink:
            sink.write("new")
    except InputError as error:
        return words in str(error)
    return False


# --- data loss ------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o444, 0o644], ids=["read-only", "another's file"])
def test_a_file_the_user_may_not_write_is_refused_and_kept(tmp_path, mode):
    """As the shell would: `echo > file` is refused for a read-only file, and for a file owned by
    someone else in a directory anyone may write (the rename trick would have replaced it)."""
    _open_to_all(tmp_path)
    kept = tmp_path / "kept.csv"
    kept.write_text("old")
    kept.chmod(mode)  # owned by root; the child writes as nobody
    assert _as_nobody(lambda: _refused(kept, "permission denied")) == 0
    assert kept.read_text() == "old"


def test_the_input_is_never_the_output_whatever_its_name(tmp_path):
    people = tmp_path / "people.jsonl"
    people.write_text(RAM.read_text().replace("\n", " ") + "\n")
    before = people.read_text()
    with open(people, "rb") as stdin:  # batch - -o people.jsonl < people.jsonl
        done = subprocess.run(
            [*ELIGIBILITY, "batch", "-", "--on", "2024-08-01", "-o", str(people)],
            stdin=stdin,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
    assert done.returncode == 2, done.stderr
    assert "expected an output file other than the input -" in done.stderr
    assert people.read_text() == before
    hard = tmp_path / "hard.jsonl"
    os.link(people, hard)  # another name for the same file
    done = subprocess.run(
        [*ELIGIBILITY, "batch", str(people), "--on", "2024-08-01", "-o", str(hard)], capture_output=True, text=True
    )
    assert done.returncode == 2 and "other than the input" in done.stderr and people.read_text() == before


def test_a_link_that_loops_and_a_missing_folder_are_refused(cli, tmp_path):
    loop = tmp_path / "loop.html"
    loop.symlink_to(tmp_path / "loop.html")
    said = one_line_error(cli("report", RAM, "--on", "2024-08-01", "-o", loop))
    assert said.endswith("found a symbolic link that loops") and loop.is_symlink()
    missing = f"{tmp_path}/newdir/"
    said = one_line_error(cli("report", RAM, "--on", "2024-08-01", "-o", missing))
    assert "got a folder's path that does not exist" in said
    assert not (tmp_path / "newdir").exists()


def test_a_legal_long_name_can_be_written(cli, tmp_path):
    name = tmp_path / ("r" * 250 + ".html")
    result = cli("report", RAM, "--on", "2024-08-01", "-o", name)
    assert result.exit_code == 0, result.stderr
    assert name.read_text().startswith("<!DOCTYPE html>")


def test_what_a_killed_run_leaves_is_removed_by_the_next_with_a_note(tmp_path):
    """SIGKILL allows no cleanup: the temporary file stays, named for its dead writer; the next
    run writing the same file says so and removes it."""
    target = tmp_path / "rows.jsonl"
    writer = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(writer.stdout)  # a process that has ended
    left = tmp_path / f".rows.jsonl.{dead}.abc123.partial"
    left.write_text("half")
    alive = tmp_path / f".rows.jsonl.{os.getpid()}.def456.partial"  # a run still going: not touched
    alive.write_text("busy")
    done = subprocess.run(
        [*ELIGIBILITY, "batch", str(_population(tmp_path)), "--on", "2024-08-01", "-o", str(target)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert not left.exists() and alive.exists() and target.exists()
    assert f"eligibility: note: removed {left}, left by an earlier run that was killed" in done.stderr


def _population(folder: Path) -> Path:
    people = folder / "in.jsonl"
    people.write_text(RAM.read_text().replace("\n", " ") + "\n")
    return people


# --- what is not a regular file -------------------------------------------------------------


def test_a_named_pipe_is_refused_where_a_file_is_read_whole(cli, tmp_path):
    pipe = tmp_path / "profile.json"
    os.mkfifo(pipe)
    said = one_line_error(cli("check", pipe, "--on", "2024-08-01"))
    assert said.endswith("expected a profile file (a regular file), found a named pipe")
    rules = tmp_path / "rules"
    rules.mkdir()
    for source in (ROOT / "rules").iterdir():
        (rules / source.name).symlink_to(source)
    os.mkfifo(rules / "ru.zzz.pipe.toml")
    result = cli("rules", "list", "--rules", rules)
    assert result.exit_code == 2 and "found a named pipe" in result.stderr


def test_a_named_pipe_nobody_reads_is_refused_as_output(cli, tmp_path):
    pipe = tmp_path / "out.html"
    os.mkfifo(pipe)
    outcome: dict[str, object] = {}
    worker = threading.Thread(
        target=lambda: outcome.update(result=cli("report", RAM, "--on", "2024-08-01", "-o", pipe)), daemon=True
    )
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "the write to a pipe with no reader waited forever"
    assert "found none reading" in one_line_error(outcome["result"])


def test_an_empty_path_is_not_a_directory(cli):
    assert one_line_error(cli("check", "", "--on", "2024-08-01")).endswith(
        "expected the path of a profile file, got an empty one"
    )


def test_read_file_names_the_kind_of_file():
    with pytest.raises(InputError, match="found a character device"):
        read_file("/dev/null", "profile file", 1024)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


# --- hangs ----------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize("signame", ["SIGKILL", "SIGSEGV"])
def test_a_dead_worker_stops_the_run_with_one_line_and_the_old_output_kept(tmp_path, signame):
    import signal
    import time

    from eligibility.runners import synth

    people = tmp_path / "people.jsonl"
    people.write_text("".join(synth.lines(30_000, 3)))
    out = tmp_path / "out.jsonl"
    out.write_text("earlier results\n")
    process = subprocess.Popen(
        [*ELIGIBILITY, "batch", str(people), "--on", "2024-08-01", "--jobs", "2", "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while not workers and time.monotonic() < deadline and process.poll() is None:
            workers = _children(process.pid)
            time.sleep(0.05)
        assert workers, "no worker was started"
        time.sleep(0.3)
        os.kill(workers[0], getattr(signal, signame))
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 5, err
    assert err.strip().splitlines() == [
        "eligibility: the run stopped: a worker process died before it finished (killed by a signal, or by the "
        "system when memory ran out); nothing was written"
    ]
    assert out.read_text() == "earlier results\n"
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".partial")]
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists() and _children(process.pid)]


def test_a_chunk_is_bounded_by_bytes_as_well_as_lines():
    import io

    from eligibility.runners.batch import numbered_chunks

    small, big = b'{"id": "a"}\n', b'{"id": "' + b"x" * 5000 + b'"}\n'
    lines = small * 10 + big * 3 + small * 2
    chunks = list(numbered_chunks(io.BytesIO(lines), size=128, most=6000))
    assert [len(c) for c, _ in chunks] == [11, 1, 3]  # a chunk ends before the line that would pass 6,000 bytes
    assert sum(read for _, read in chunks) == len(lines)
    assert all(sum(len(raw) for _, raw in c) <= 6000 or len(c) == 1 for c, _ in chunks)


def test_a_line_of_exactly_the_limit_is_read(tmp_path):
    import io

    from eligibility.runners.batch import numbered_lines

    limit = 64
    exact = b"a" * limit + b"\n"
    over = b"b" * (limit + 1) + b"\n"
    found = list(numbered_lines(io.BytesIO(exact + over + exact), limit))
    assert [(n, raw) for n, raw, _ in found][0] == (1, exact)
    assert found[1][1] == over  # read whole; _parse refuses it as longer than the limit
    assert found[2][1] == exact


# --- exit codes -----------------------------------------------------------------------------


def test_one_table_of_exit_codes_and_the_code_follows_it(cli, tmp_path, monkeypatch):
    """docs/report.md's table is the one place the codes are given; every code the commands use
    is in it, and each row is walked: a command that ends with that code."""
    import re

    from eligibility import cli as commands

    page = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    table = page[page.index("## Exit codes") :].split("\n\n")[1]
    codes = {int(code) for code in re.findall(r"^\| (\d+) \|", table, re.M)}
    used = {value for name, value in vars(commands).items() if name.startswith("EXIT_")}
    assert codes == used | {0, 130} and "143" in table
    for doc in (ROOT / "docs").glob("*.md"):
        assert not re.search(r"failed write[^.|]*exit 2", doc.read_text(encoding="utf-8")), doc.name
    assert cli("check", RAM, "--on", "2024-08-01").exit_code == 0
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "ru.citizenship.contract-service.toml").write_text(
        (ROOT / "rules" / "ru.citizenship.contract-service.toml").read_text().replace('"RU"', '"XX"', 1)
    )
    assert cli("rules", "check", "--rules", rules).exit_code == 1
    assert cli("check", RAM, "--on", "someday").exit_code == 2
    assert cli("report", RAM, "--on", "2024-08-01", "-o", "/dev/full").exit_code == 4

    def broken(*args, **kwargs):
        raise commands.InternalError("planted")

    from eligibility import api

    monkeypatch.setattr(api, "check", broken)
    assert cli("check", RAM, "--on", "2024-08-01").exit_code == 3


# --- wrong or corrupt output ------------------------------------------------------------------


def _hostile_profile(tmp_path: Path, name: str) -> Path:
    import json

    data = json.loads(RAM.read_text(encoding="utf-8")) | {"id": name}
    data["family"] = [{"relation": "spouse", "person": {"id": name, "citizenships": [{"country": "NP"}]}}]
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_rule_that_tests_a_country_no_one_has_is_a_problem(cli, tmp_path):
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    target = rules / "ru.citizenship.contract-service.toml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace('country = "RU"', 'country = "UK"', 1), encoding="utf-8")
    result = cli("rules", "check", "--rules", rules, "--width", "300")
    assert result.exit_code == 1
    assert (
        "conditions[1].test.country: expected an ISO 3166-1 alpha-2 country code such as 'NP', got 'UK'; "
        "did you mean 'GB' (United Kingdom)?" in " ".join(result.stdout.split())
    )
    said = one_line_error(cli("check", RAM, "--on", "2024-08-01", "--rules", rules))
    assert "got 'UK'" in said


def test_csv_cells_are_never_formulas_and_a_carriage_return_never_splits_a_row(cli, tmp_path):
    import csv
    import io

    path = _hostile_profile(tmp_path, '=HYPERLINK("http://x")\rsecond')
    result = cli("check", path, "--on", "2024-08-01", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert len(rows) == len({r["id"] for r in rows}) > 1  # one row per provision, none split
    assert all(r["profile"] == '\'=HYPERLINK("http://x")\rsecond' for r in rows)
    from eligibility.explaining.tables import cell

    assert [cell(v) for v in ("-1", "+x", "@a", "\tb", "ok", 3, "")] == ["'-1", "'+x", "'@a", "'\tb", "ok", 3, ""]


def test_svg_stays_well_formed_and_the_terminal_gets_no_escape_sequence(cli, tmp_path):
    import xml.etree.ElementTree as ET

    path = _hostile_profile(tmp_path, "Ram\x1b[31m red \x07\x00 end")
    svg = cli("timeline", path, "--format", "svg")
    assert svg.exit_code == 0
    ET.fromstring(svg.stdout)  # raises on a character XML forbids
    assert "Ram\\x1b[31m red \\x07\\x00 end" in svg.stdout
    for args in (
        ("check", path, "--on", "2024-08-01"),
        ("check", path, "--on", "2024-08-01", "--details"),
        ("timeline", path),
    ):
        text = cli(*args).stdout
        assert "\x1b" not in text and "\x07" not in text and "\x00" not in text, args
        assert "\\x1b[31m" in text
    page = tmp_path / "r.html"
    assert cli("report", path, "--on", "2024-08-01", "-o", page).exit_code == 0
    assert "\x1b" not in page.read_text()


# --- tracebacks and exit codes of closed or full streams -----------------------------------------


def _run(*args: str, close: int | None = None, stdout=subprocess.PIPE, stdin=None) -> subprocess.CompletedProcess:
    closing = (lambda: os.close(close)) if close is not None else None
    return subprocess.run(
        [*ELIGIBILITY, *args], stdout=stdout, stderr=subprocess.PIPE, stdin=stdin, text=True, preexec_fn=closing
    )


@pytest.mark.parametrize(
    "args",
    [
        ("check", str(RAM), "--on", "2024-08-01"),
        ("check", str(RAM), "--on", "2024-08-01", "--format", "json"),
        ("timeline", str(RAM)),
        ("rules", "list"),
        ("schema", "profile"),
        ("--help",),
    ],
    ids=lambda a: " ".join(a[:1] + a[-1:]),
)
def test_a_closed_or_full_standard_output_is_one_line_and_exit_4(args):
    for how in ("closed", "full"):
        if how == "closed":
            done = _run(*args, close=1)
        else:
            with open("/dev/full", "w") as full:
                done = _run(*args, stdout=full)
        assert done.returncode == 4, (how, done.stderr)
        assert done.stderr.startswith("eligibility: <standard output>: could not write the output, it stops short")
        assert "Traceback" not in done.stderr


def test_a_closed_standard_input_and_a_closed_standard_error():
    done = _run("batch", "-", "--on", "2024-08-01", close=0)
    assert done.returncode == 2
    assert done.stderr.strip() == "eligibility: -: expected standard input to read profiles from, found it closed"
    quiet = _run("check", "/nonexistent.json", "--on", "2024-08-01", close=2)
    assert quiet.returncode == 2  # the code still says what happened


@pytest.mark.parametrize(
    "args",
    [("check", str(RAM), "--on", "2024-08-01", "--details"), ("timeline", str(RAM)), ("rules", "list")],
    ids=lambda a: a[0],
)
def test_a_reader_that_stops_early_is_not_an_error(args):
    """`eligibility ... | head -1` ends with 0, every time."""
    for _ in range(5):
        process = subprocess.Popen([*ELIGIBILITY, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert process.stdout is not None
        process.stdout.readline()
        process.stdout.close()
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0 and err == b"", err


def test_an_option_that_takes_one_value_given_twice_is_refused(cli):
    said = one_line_error(cli("check", RAM, "--on", "2024-08-01", "--on", "2024-09-01"))
    assert said == "eligibility: --on: expected once, got 2 values ('2024-08-01', '2024-09-01'); give it one value"
    said = one_line_error(
        cli("what-if", RAM, "--on", "2024-08-01", "--make-apply=ru.contract.stateless", "--make-apply", "x")
    )
    assert said.startswith("eligibility: --make-apply: expected once, got 2 values")
    assert cli("check", RAM, "--on", "2024-08-01", "--status", "applies", "--status", "undetermined").exit_code == 0


def test_report_to_standard_output_and_odd_inputs_are_one_line(cli, tmp_path):
    result = cli("report", RAM, "--on", "2024-08-01", "-o", "-")
    assert result.exit_code == 0 and result.stdout.startswith("<!DOCTYPE html>") and not Path("-").exists()
    svg = cli("timeline", RAM, "--to", "9999-12-31", "--format", "svg")
    assert svg.exit_code == 0 and svg.stdout.startswith("<svg")
    assert cli("report", RAM, "--on", "2024-08-01", "--to", "9999-12-31", "-o", tmp_path / "r.html").exit_code == 0
    verbose = cli("scenarios", "run", "-v", ROOT / "scenarios")
    assert verbose.exit_code == 0 and "Traceback" not in verbose.stdout + verbose.stderr
    from eligibility import api

    with pytest.raises(InputError, match="expected a provision id \\(text\\)"):
        api.status(RAM, 123, "2024-08-01")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="expected a list of provision ids"):
        api.timeline(RAM, provisions=42)  # type: ignore[arg-type]


def test_a_stage_in_year_zero_says_what_the_calendar_holds(cli, tmp_path):
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    target = rules / "ru.contract.stateless.toml"
    text = target.read_text(encoding="utf-8")
    import re

    target.write_text(re.sub(r'date = "\d{4}-\d{2}-\d{2}"', 'date = "0000-01"', text, count=1), encoding="utf-8")
    said = one_line_error(cli("check", RAM, "--on", "2024-08-01", "--rules", rules))
    assert "0000-01" in said and "out of range" not in said and "expected a day" in said


def test_an_unreadable_rule_folder_says_so(tmp_path):
    import shutil

    from eligibility.law.loader import load_rules

    _open_to_all(tmp_path)
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    rules.chmod(0o700)  # root's alone

    def refused() -> bool:
        try:
            load_rules(rules)
        except InputError as error:
            return str(error) == f"{rules}: cannot read the rule files' directory: permission denied"
        return False

    assert _as_nobody(refused) == 0


def test_any_text_in_a_profile_leaves_svg_well_formed_and_the_terminal_clean(tmp_path):
    """Fuzz: any string (control characters, escapes, markup) as the person's and a relative's id."""
    import json
    import xml.etree.ElementTree as ET

    from hypothesis import given, settings
    from hypothesis import strategies as st
    from typer.testing import CliRunner

    from eligibility.cli import app

    runner = CliRunner()
    path = tmp_path / "fuzz.json"
    base = json.loads(RAM.read_text(encoding="utf-8"))
    alphabet = st.characters(min_codepoint=0, max_codepoint=0x24F, exclude_categories=("Cs",))

    @settings(max_examples=40, deadline=None)
    @given(name=st.text(alphabet, min_size=1, max_size=30))
    def check(name: str) -> None:
        data = base | {"id": name, "family": [{"relation": "spouse", "person": {"id": name}}]}
        path.write_text(json.dumps(data), encoding="utf-8")
        svg = runner.invoke(
            app, ["timeline", str(path), "--from", "2024-01-01", "--to", "2024-12-31", "--format", "svg"]
        )
        assert svg.exit_code == 0, svg.stderr
        ET.fromstring(svg.stdout)
        text = runner.invoke(app, ["check", str(path), "--on", "2024-08-01", "--details", "--width", "100"]).stdout
        assert not [c for c in text if (ord(c) < 32 and c not in "\n") or 0x7F <= ord(c) <= 0x9F], repr(name)

    check()


def test_workers_end_quietly_when_their_parent_is_killed(tmp_path):
    """SIGKILL of the parent allows it no cleanup: its workers end with it (the kernel tells them),
    print no broken-pipe traceback, and leave no process behind."""
    import signal
    import time

    from eligibility.runners import synth

    people = tmp_path / "people.jsonl"
    people.write_text("".join(synth.lines(30_000, 4)))
    process = subprocess.Popen(
        [*ELIGIBILITY, "batch", str(people), "--on", "2024-08-01", "--jobs", "2", "-o", str(tmp_path / "o.jsonl")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(_children(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = _children(process.pid)
        assert len(workers) == 2
        time.sleep(0.3)
        process.send_signal(signal.SIGKILL)
        _, err = process.communicate(timeout=60)
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [pid for pid in workers if Path(f"/proc/{pid}").exists() and "Z" not in _state(pid)]
        assert left == []
        assert b"Traceback" not in err and b"BrokenPipe" not in err
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_an_unterminated_string_is_said_once(cli, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": "abc')
    said = one_line_error(cli("check", broken, "--on", "2024-08-01"))
    assert said.endswith("not valid JSON: Unterminated string starting at line 1 column 8") and "at at" not in said
