"""The Dask extra: the same rows as `eligibility batch`, on Dask's local schedulers."""

from __future__ import annotations

import json

import pytest

from eligibility import InputError
from eligibility.runners import synth

dask = pytest.importorskip("dask", reason="the dask extra is not installed (pip install -e '.[dask]')")

from eligibility.runners.distributed import judge_files  # noqa: E402

DATES = ["2024-08-01", "2026-03-10"]


@pytest.fixture
def files(tmp_path):
    paths = []
    for part in range(3):
        path = tmp_path / f"part-{part}.jsonl"
        path.write_text("".join(synth.lines(90, 11, start=90 * part)))
        paths.append(path)
    return paths


def _cli_rows(cli, path):
    result = cli("batch", path, *[a for d in DATES for a in ("--on", d)])
    assert result.exit_code == 0, result.stderr
    return [{"source": str(path), **json.loads(line)} for line in result.stdout.splitlines()]


@pytest.mark.parametrize("scheduler", ["processes", "threads", "synchronous"])
def test_a_bag_over_files_gives_the_rows_batch_writes(cli, files, scheduler):
    expected = [row for path in files for row in _cli_rows(cli, path)]
    bag = judge_files([str(p) for p in files], DATES)
    assert bag.npartitions == len(files)
    rows = bag.compute(scheduler=scheduler, num_workers=2)
    assert rows == expected


def test_an_invalid_line_raises_or_becomes_an_error_row(tmp_path):
    path = tmp_path / "people.jsonl"
    lines = list(synth.lines(4, 1))
    lines[1] = '{"citizenships": [{"country": "XX"}]}\n'
    path.write_text("".join(lines))
    with pytest.raises(InputError, match=r"people.jsonl:2: citizenships\[0\].country: expected"):
        judge_files(str(path), ["2024-08-01"]).compute(scheduler="synchronous")
    rows = judge_files(str(path), ["2024-08-01"], skip_invalid=True).compute(scheduler="synchronous")
    assert [r["line"] for r in rows] == [1, 2, 3, 4]
    assert rows[1]["error"].startswith(f"{path}:2: citizenships[0].country: expected")


def test_lines_are_split_exactly_as_the_command_splits_them(cli, tmp_path):
    """A U+2028 inside a string and a bare carriage return: the same rows, line numbers and
    errors as `eligibility batch`."""
    path = tmp_path / "odd.jsonl"
    good = json.loads(next(iter(synth.lines(1, 3))))
    good["id"] = "Anna\u2028Maria"
    path.write_bytes(
        json.dumps(good, ensure_ascii=False).encode()
        + b"\n"
        + b'{"citizenships": []}\r{"citizenships": []}\n'
        + json.dumps(good).encode()
        + b"\n"
    )
    result = cli("batch", path, "--on", "2024-08-01", "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    expected = [{"source": str(path), **json.loads(line)} for line in result.stdout.split("\n") if line]
    rows = judge_files(str(path), ["2024-08-01"], skip_invalid=True).compute(scheduler="synchronous")
    assert [r for r in rows if "error" not in r] == expected
    errors = [r for r in rows if "error" in r]
    assert [r["line"] for r in errors] == [2] and "skipped 1 invalid line" in result.stderr


def test_json_a_profile_cannot_hold_is_an_error_row_not_a_crash(tmp_path):
    path = tmp_path / "people.jsonl"
    path.write_bytes(
        b'{"citizenships":[{"country":"RU"}],"citizenships":[]}\n'
        b'{"id":"\\ud800","citizenships":[]}\n'
        b'{"citizenships":[],"id":' + b"9" * 5000 + b"}\n"
        b'{"citizenships":[]}\n'
    )
    rows = judge_files(str(path), ["2024-08-01"], skip_invalid=True).compute(scheduler="synchronous")
    errors = {row["line"]: row["error"] for row in rows if "error" in row}
    assert sorted(errors) == [1, 2, 3]
    assert "got 'citizenships' twice" in errors[1] and "lone surrogate" in errors[2] and "4,300 digits" in errors[3]
    assert [row["line"] for row in rows if "error" not in row] == [4]


@pytest.mark.parametrize("pattern", ["part-*.jsonl", "part-?.jsonl", "part-[012].jsonl", "**/part-*.jsonl"])
def test_every_glob_fsspec_expands_names_the_same_files(files, pattern):
    """`?`, `[...]` and `**` are expanded as `*` is, never taken as a file name."""
    folder = files[0].parent
    bag = judge_files(str(folder / pattern), DATES)
    assert bag.npartitions == len(files)
    assert {row["source"] for row in bag.compute(scheduler="synchronous")} == {str(p) for p in files}
    with pytest.raises(InputError, match="found none matching"):
        judge_files(str(folder / "nothing-[xy].jsonl"), DATES)


def _cli_text(cli, path, *extra):
    result = cli("batch", path, *[a for d in DATES for a in ("--on", d)], *extra)
    assert result.exit_code == 0, result.stderr
    head = '{"source":' + json.dumps(str(path)) + ","
    return [head + line[1:] for line in result.stdout.split("\n") if line]


def test_a_file_is_cut_into_partitions_at_line_ends_and_keeps_its_line_numbers(cli, tmp_path, monkeypatch):
    """Partitions inside a file (here 7 lines each, or 3 KiB): the same rows, in order, with the
    same line numbers, as the command writes; blank lines, a last line without its end and a line
    longer than a partition's bytes included."""
    from eligibility.runners import distributed

    monkeypatch.setattr(distributed, "_chunks", _small_chunks(distributed._chunks))
    lines = list(synth.lines(40, 5))
    lines[9] = "\n"
    long = json.loads(lines[20])
    long["id"] = "x" * 5000
    lines[20] = json.dumps(long) + "\n"
    path = tmp_path / "people.jsonl"
    path.write_text("".join(lines).rstrip("\n"))
    bag = distributed.judge_text(str(path), DATES)
    assert bag.npartitions > 40 // 7
    text = bag.compute(scheduler="synchronous")
    assert text == _cli_text(cli, path)
    assert [json.loads(row)["line"] for row in text][-2:] == [40, 40]


def _small_chunks(chunks):
    def cut(path, lines=7, most=3 * 1024):
        found = chunks(path, lines, most)
        assert all(lines_ <= 7 for *_, lines_ in found)
        return found

    return cut


def test_the_rows_pass_through_as_the_commands_text(cli, files):
    """judge_text: the command's own row text, the file put first, nothing parsed on the way."""
    from eligibility.runners.distributed import judge_text

    expected = [row for path in files for row in _cli_text(cli, path)]
    assert judge_text([str(p) for p in files], DATES).compute(scheduler="processes", num_workers=2) == expected


def test_a_local_cluster_of_two_workers_writes_the_rows_batch_writes(cli, files, tmp_path):
    """On a `distributed` cluster of two worker processes, written by the workers with to_textfiles:
    the same rows as `eligibility batch`, file by file."""
    distributed = pytest.importorskip("distributed", reason="distributed is not installed")
    from eligibility.runners.distributed import judge_text

    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster),
    ):
        out = tmp_path / "out"
        judge_text([str(p) for p in files], DATES).to_textfiles(str(out / "part-*.jsonl"))
    written = [line for part in sorted(out.glob("part-*.jsonl")) for line in part.read_text().splitlines()]
    assert written == [row for path in files for row in _cli_text(cli, path)]
