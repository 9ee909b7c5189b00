"""Narrow terminals and pipes: every table stays readable at 80 columns and below; ids, dates,
statuses and counts are never cut (a table too wide becomes a table without borders, then one
with the statuses as marks and a legend, then a list)."""

from __future__ import annotations

import json

import pytest

from eligibility import api
from eligibility.runners import synth

from .conftest import PEOPLE


def _lines(result, width: int) -> list[str]:
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(len(line.rstrip()) <= width for line in lines), max(lines, key=len)
    return lines


def _words(text: str) -> set[str]:
    return {word.strip("│┃ ,;()[]'") for word in text.split()}


@pytest.mark.parametrize("width", [60, 80, 120])
def test_rules_list_keeps_every_id_and_date_whole(cli, width):
    out = "\n".join(_lines(cli("rules", "list", "--width", str(width)), width))
    words = _words(out)
    for provision in api.rule_base().provisions.values():
        assert provision.id in words, provision.id
        for stage in provision.stages:
            assert stage.date.written() in out, (provision.id, stage.date.written())


@pytest.mark.parametrize("width", [60, 80, 120])
def test_the_discrepancy_table_keeps_ids_and_sides_whole(cli, width):
    out = "\n".join(_lines(cli("rules", "discrepancies", "--width", str(width)), width))
    table = json.loads(cli("rules", "discrepancies", "--format", "json").stdout)
    words = _words(out)
    for row in table["rows"]:
        assert row["provision"] in words and row["sure"] in words
    assert "…" not in out


@pytest.mark.parametrize("width", [50, 60, 80, 120])
def test_the_batch_summary_keeps_ids_statuses_and_counts_whole(cli, tmp_path, width):
    people = tmp_path / "people.jsonl"
    people.write_text("".join(synth.lines(60, 4)))
    args = ("batch", people, "--on", "2024-08-01", "--on", "2025-01-01", "--summary")
    out = "\n".join(_lines(cli(*args, "--width", str(width)), width))
    summary = json.loads(cli(*args, "--format", "json").stdout)
    assert "…" not in out
    words = _words(out)
    for counts in summary["dates"]:
        for provision_id, by_status in counts["counts"].items():
            assert provision_id in words
            assert all(str(number) in words for number in by_status.values())
    for status in ("applies", "undetermined", "does not apply", "not in force"):
        assert status in " ".join(out.split())  # as a heading, in a legend, or in a list


def test_piped_output_is_80_columns_and_whole(cli):
    """CliRunner is not a terminal: what a pipe gets."""
    result = cli("check", PEOPLE / "nepali-contract-soldier.json", "--on", "2024-08-01")
    _lines(result, 80)
    report = json.loads(
        cli("check", PEOPLE / "nepali-contract-soldier.json", "--on", "2024-08-01", "--format", "json").stdout
    )
    for provision in report["provisions"]:
        decided = provision["decided_by"]
        if decided and decided["date"]:
            assert decided["date"] in result.stdout
