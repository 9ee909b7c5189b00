"""Hostile input: every bad file or option gets one line naming the file or field, exit code 2,
no traceback; nothing in a data file is ever run; fuzzed input only ever gets an answer or a
clean error.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import PEOPLE, ROOT, RULES, SCENARIOS, one_line_error

RAM = PEOPLE / "nepali-contract-soldier.json"
PROFILE_COMMANDS = [
    ("check", "--on", "2024-08-01"),
    ("timeline",),
    ("diff", "--from", "2023-01-01", "--to", "2024-08-01"),
    ("what-if", "--on", "2024-08-01", "--set", "military_registration.RU=true"),
    ("what-if", "--on", "2024-08-01", "--make-apply", "ru.contract.stateless"),
]


def _nested_family(depth: int) -> bytes:
    return b'{"family": [{"relation": "child", "person": ' * depth + b"{}" + b"}]}" * depth


BAD_PROFILES = [
    (b"", "the file is empty"),
    (b"   \n", "the file is empty"),
    (b'{"citizenships": [{"country": "NP"', "not valid JSON"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "expected UTF-8 text"),
    (b"[1, 2]", "expected a JSON object holding a profile, got a list"),
    (b'"a profile"', "expected a JSON object holding a profile"),
    (b"42", "expected a JSON object holding a profile"),
    (b"null", "expected a JSON object holding a profile"),
    (b'{"citizenship": []}', "citizenship: unknown field"),
    (b'{"citizenships": {"country": "NP"}}', "citizenships: expected a list"),
    (b'{"citizenships": [{"country": "NP", "since": "2024-02-30"}]}', "citizenships[0].since"),
    (b'{"service": [{"country": "RU", "start": "2024-05-01", "end": "2024-01-01"}]}', "service[0].end"),
    (b'{"service": [{"country": "RU", "start": "2024-05-01", "kind": "mercenary"}]}', "service[0].kind"),
    (b'{"residences": [{"country": "XX"}]}', "residences[0].country"),
    (b'{"criminal_record": {"convicted": "no"}}', "criminal_record.convicted: expected true or false"),
    (_nested_family(20), "family: family members are nested more than 8 levels deep"),
    (_nested_family(3000), "nests too deeply to read"),
    (b"[" * 50000, "nests too deeply"),
]


@pytest.mark.parametrize("command", PROFILE_COMMANDS, ids=[" ".join(c[:1] + c[-1:]) for c in PROFILE_COMMANDS])
@pytest.mark.parametrize("content, words", BAD_PROFILES, ids=[w for _, w in BAD_PROFILES])
def test_every_command_refuses_a_bad_profile_in_one_line(cli, tmp_path, command, content, words):
    path = tmp_path / "profile.json"
    path.write_bytes(content)
    result = cli(command[0], path, *command[1:])
    assert result.exit_code == 2, result.stdout
    line = one_line_error(result)
    assert line.startswith(f"eligibility: {path}") and words in line, line


def test_a_profile_larger_than_the_limit_is_refused_before_it_is_read(cli, tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.write(b'{"id": "')
        handle.write(b"x" * (17 * 1024 * 1024))
        handle.write(b'"}')
    line = one_line_error(cli("check", path, "--on", "2024-08-01"))
    assert "expected a profile file of at most 16 MiB" in line


def test_a_very_large_valid_profile_gets_an_answer(cli, tmp_path):
    profile = {
        "citizenships": [{"country": "NP", "since": f"{2000 + i % 20}-01-01"} for i in range(3000)],
        "service": [{"country": "RU", "start": "2023-01-01", "kind": "contract", "force": "armed_forces"}] * 3000,
        "residences": [],
        "family": [],
    }
    path = tmp_path / "large.json"
    path.write_text(json.dumps(profile))
    result = cli("check", path, "--on", "2024-08-01", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["provisions"]


@pytest.mark.parametrize(
    "value",
    ["2024-8-1", "", "2024-08-01T00:00", "99999-01-01", "2024-02-30", "0000-01-01", "2024-08-01 ", "２０２４-08-01"],
)
def test_malformed_dates_on_the_command_line(cli, value):
    for args in (
        ("check", RAM, "--on", value),
        ("timeline", RAM, "--from", value),
        ("diff", RAM, "--from", "2024-01-01", "--to", value),
        ("what-if", RAM, "--on", value, "--unset", "family"),
    ):
        result = cli(*args)
        assert result.exit_code == 2, args
        assert re.match(r"eligibility: --(on|from|to): expected a date written YYYY-MM-DD", one_line_error(result)), (
            args
        )


# --- rule files ------------------------------------------------------------------------------

BAD_RULES = [
    (b"", "required field is missing", None),
    (b'id = "ru.contract.stateless"\ntitle = "x', "not valid TOML", None),
    (b"\xff\xfe\x00\x01", "expected UTF-8 text", None),
    (b"[[[", "not valid TOML", None),
    (b"id = 7", "id: expected a string", "id"),
]


@pytest.mark.parametrize("content, words, field", BAD_RULES, ids=[w for _, w, _ in BAD_RULES])
def test_a_bad_rule_file_gets_one_line_and_is_listed_by_the_checker(cli, tmp_path, content, words, field):
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    target = folder / "ru.contract.stateless.toml"
    target.write_bytes(content)
    result = cli("check", RAM, "--on", "2024-08-01", "--rules", folder)
    assert result.exit_code == 2
    line = one_line_error(result)
    assert line.startswith(f"eligibility: {target}") and words in line, line
    listed = cli("rules", "check", "--rules", folder, "--width", "400")
    assert listed.exit_code == 1 and str(target) in listed.stdout and "Traceback" not in listed.stdout


@pytest.mark.parametrize(
    "old, new, words",
    [
        (
            'date = "2024-07"',
            'date = "2024-02-30"',
            "stages[0].date: expected a date written YYYY-MM-DD that exists on the calendar",
        ),
        ('date = "2024-07"', "date = 2024-07-01", "a bare TOML date is not accepted"),
        ('kind = "in_effect"', 'kind = "in_force"', "stages[0].kind: expected one of"),
        ('jurisdiction = "RU"', 'jurisdiction = "RUS"', "jurisdiction: expected one of"),
    ],
)
def test_wrong_values_in_a_rule_file_are_named(cli, tmp_path, old, new, words):
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    target = folder / "ru.contract.stateless.toml"
    target.write_text(target.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    line = one_line_error(cli("rules", "show", "ru.contract.stateless", "--rules", folder))
    assert line.startswith(f"eligibility: {target}: ") and words in line, line


# --- scenario files ----------------------------------------------------------------------------

BAD_SCENARIOS = [
    (b"", "title: required field is missing"),
    (b'title = "t"\nprofile = "x', "not valid TOML"),
    (b"\x00\x01\xff", "expected UTF-8 text"),
    (
        b'title = 5\nprofile = "p.json"\nstory = "s"\n[[at]]\non = "2024-01-01"\nwhy = "w"\n[at.expect]\n'
        b'"ru.contract.stateless" = "applies"',
        "title: expected a string",
    ),
    (
        b'title = "t"\nprofile = "p.json"\nstory = "s"\n[[at]]\non = "2024-02-30"\nwhy = "w"\n[at.expect]\n'
        b'"ru.contract.stateless" = "applies"',
        "at[0].on: expected a date",
    ),
    (
        b'title = "t"\nprofile = "p.json"\nstory = "s"\n[[at]]\non = "2024-01-01"\nwhy = "w"\n[at.expect]\n'
        b'"ru.contract.stateless" = "maybe"',
        "expected one of",
    ),
    (b'title = "t"\nprofile = "p.json"\nstory = "s"\nat = []', "at: expected a non-empty value"),
]


@pytest.mark.parametrize("content, words", BAD_SCENARIOS, ids=[w for _, w in BAD_SCENARIOS])
def test_a_bad_scenario_file_gets_one_line(cli, tmp_path, content, words):
    shutil.copy(RAM, tmp_path / "p.json")
    path = tmp_path / "s.toml"
    path.write_bytes(content)
    line = one_line_error(cli("scenarios", "run", path))
    assert line.startswith(f"eligibility: {path}") and words in line, line


# --- nothing in a data file is ever run ----------------------------------------------------------


def test_loading_never_evaluates_code_from_a_data_file(cli, tmp_path):
    canary = tmp_path / "canary"
    payload = f"__import__('os').system('touch {canary}')"
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    target = folder / "ru.contract.criminal-record-bar.toml"
    text = target.read_text(encoding="utf-8")
    target.write_text(re.sub(r'^when = ".*"$', f'when = "{payload}"', text, count=1, flags=re.M), encoding="utf-8")
    line = one_line_error(cli("check", RAM, "--on", "2024-08-01", "--rules", folder))
    assert "when: expected" in line
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"id": payload, "citizenships": [{"country": "NP"}]}))
    result = cli("what-if", profile, "--on", "2024-08-01", "--set", f"id={payload}")
    assert result.exit_code == 0
    assert not canary.exists()


def test_the_package_has_no_code_loader_for_data():
    """Data is read with json and tomli only: no eval, exec, pickle, marshal or yaml anywhere."""
    for path in (ROOT / "src" / "eligibility").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for word in (
            r"(?<![.\w])eval\(",
            r"(?<![.\w])exec\(",
            r"(?<![.\w])compile\(",
            "pickle",
            "marshal",
            "yaml",
            "import_module",
            "__import__",
        ):
            assert not re.search(word, text), (path.name, word)


# --- fuzz: the CLI only ever answers or errors cleanly ---------------------------------------------

# The cli fixture holds no state between calls, so sharing it across examples is safe.
# ELIGIBILITY_FUZZ_EXAMPLES raises the count for a long run (README: the tests).
FUZZ = settings(
    max_examples=int(os.environ.get("ELIGIBILITY_FUZZ_EXAMPLES", "80")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _run_on(cli, content: bytes, *args: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "profile.json"
        path.write_bytes(content)
        result = cli("check", path, "--on", "2024-08-01", "--format", "json", *args)
    assert result.exit_code in (0, 2), (content[:200], result.exit_code, result.stderr)
    if result.exit_code == 2:
        one_line_error(result)
    else:
        assert json.loads(result.stdout)["provisions"]
    return result


@FUZZ
@given(content=st.binary(max_size=400))
def test_fuzz_raw_bytes(cli, content):
    _run_on(cli, content)


@FUZZ
@given(content=st.text(alphabet='{}[]":,0123456789-truefalsn acdiostyRUNP\\', max_size=300))
def test_fuzz_json_looking_text(cli, content):
    _run_on(cli, content.encode("utf-8"))


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-10, 3000)
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.sampled_from(["RU", "NP", "2024-01-01", "2024-02-30", "birth", "contract", "armed_forces", "spouse"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


@FUZZ
@given(
    person=st.sampled_from(sorted(PEOPLE.glob("*.json"))),
    seed=st.integers(0, 2**32),
    value=JSON_VALUES,
    action=st.sampled_from(["replace", "delete", "insert"]),
)
def test_fuzz_mutated_valid_profiles(cli, person, seed, value, action):
    data = json.loads(person.read_text(encoding="utf-8"))
    paths = [p for p in _paths(data) if p]
    chooser = random.Random(seed)
    if paths:
        path = chooser.choice(paths)
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        if action == "replace":
            parent[last] = value
        elif action == "delete":
            del parent[last]
        elif isinstance(parent, dict):
            parent[chooser.choice(["since", "until", "end", "discharge", "x", "person", "country"])] = value
        else:
            parent.insert(last, value)
    _run_on(cli, json.dumps(data, allow_nan=True).encode("utf-8"))


@FUZZ
@given(
    path=st.sampled_from(
        [
            "id",
            "service[0].kind",
            "service[+]",
            "citizenships",
            "family[0].person",
            "military_registration.RU",
            "criminal_record",
            "service[0]",
        ]
    ),
    text=st.text(alphabet='{}[]":,0123456789-.eEtruefalsnl\\udabc RUNP', max_size=120),
)
def test_fuzz_set_values(cli, path, text):
    result = cli("what-if", RAM, "--on", "2024-08-01", "--set", f"{path}={text}", "--format", "json")
    assert result.exit_code in (0, 2), (path, text, result.stderr)
    if result.exit_code == 2:
        one_line_error(result)


@FUZZ
@given(
    lines=st.lists(
        st.binary(max_size=120)
        | st.text(alphabet='{}[]":,0123456789-truefalsn acdiostyRUNP\\\u2028\r', max_size=120).map(
            lambda t: t.encode("utf-8")
        ),
        max_size=6,
    )
)
def test_fuzz_batch_lines(cli, lines):
    """Whatever the lines, --skip-invalid judges every valid one and reports the rest; never a traceback."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "people.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n" + b'{"citizenships": []}\n')
        result = cli("batch", path, "--on", "2024-08-01", "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    rows = [json.loads(line) for line in result.stdout.split("\n") if line]
    assert rows and rows[-1]["statuses"]


def test_fuzz_covers_the_scenario_people():
    assert len(list(PEOPLE.glob("*.json"))) >= 20 and SCENARIOS.is_dir()


@FUZZ
@given(
    content=st.binary(max_size=300)
    | st.text(alphabet='[]=."\n abcdefgijklmnoprstuwy0123456789-_{},', max_size=300).map(lambda t: t.encode("utf-8"))
)
def test_fuzz_scenario_and_rule_files(cli, content):
    with tempfile.TemporaryDirectory() as folder:
        scenario = Path(folder) / "s.toml"
        scenario.write_bytes(content)
        result = cli("scenarios", "run", scenario)
        assert result.exit_code in (0, 1, 2), result.stderr
        if result.exit_code == 2:
            one_line_error(result)
        rules = Path(folder) / "rules"
        shutil.copytree(RULES, rules)
        (rules / "ru.contract.stateless.toml").write_bytes(content)
        result = cli("rules", "show", "ru.contract.stateless", "--rules", rules)
        assert result.exit_code == 2  # never a valid provision
        one_line_error(result)
        listed = cli("rules", "check", "--rules", rules, "--width", "300")
        assert listed.exit_code == 1 and "Traceback" not in listed.stdout + listed.stderr


JSON_PROBLEMS = [
    (
        b'{"citizenships":[{"country":"RU"}],"citizenships":[]}',
        "expected each key once in an object, got 'citizenships' twice",
    ),
    (b'{"id":"\\ud800","citizenships":[]}', "lone surrogate"),
    (
        b'{"citizenships":[],"family":[{"relation":"child","person":{"id":' + b"9" * 5000 + b"}}]}",
        "numbers of at most 4,300 digits",
    ),
]


@pytest.mark.parametrize("command", PROFILE_COMMANDS, ids=[" ".join(c[:1] + c[-1:]) for c in PROFILE_COMMANDS])
@pytest.mark.parametrize("content, words", JSON_PROBLEMS, ids=["duplicate key", "lone surrogate", "long number"])
def test_json_the_syntax_allows_but_a_profile_cannot_hold_is_one_line(cli, tmp_path, command, content, words):
    path = tmp_path / "profile.json"
    path.write_bytes(content)
    result = cli(command[0], path, *command[1:])
    assert result.exit_code == 2
    assert words in one_line_error(result)


@pytest.mark.parametrize("content, words", JSON_PROBLEMS, ids=["duplicate key", "lone surrogate", "long number"])
def test_batch_skips_such_a_line_and_judges_the_rest(cli, tmp_path, content, words):
    path = tmp_path / "people.jsonl"
    path.write_bytes(b'{"citizenships": []}\n' + content + b'\n{"citizenships": []}\n')
    result = cli("batch", path, "--on", "2024-08-01", "--skip-invalid")
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2
    assert f"{path}:2: {words}" in result.stderr or words in result.stderr


@pytest.mark.parametrize(
    "option, words",
    [
        ('service[0]={"country":"RU","country":"NP","start":"2020-01-01"}', "got 'country' twice"),
        ('id="\\ud800"', "lone surrogate"),
        ("service[" + "9" * 5000 + "].kind=contract", "at most 9 digits"),
    ],
)
def test_set_values_and_positions_are_read_as_carefully_as_profiles(cli, option, words):
    result = cli("what-if", RAM, "--on", "2024-08-01", "--set", option)
    assert result.exit_code == 2
    assert words in one_line_error(result)


LATE_PROFILE = {
    "citizenships": [{"country": "NP"}],
    "service": [{"country": "RU", "force": "armed_forces", "kind": "conscription", "start": "9999-10-01"}],
}


@pytest.mark.parametrize(
    "command",
    [
        ("check", "--on", "9999-12-31"),
        ("timeline",),
        ("timeline", "--from", "9999-01-01", "--to", "9999-12-31"),
        ("diff", "--from", "2023-01-01", "--to", "9999-12-31"),
        ("what-if", "--on", "9999-12-31", "--make-apply", "ru.contract.after-conscript-service"),
    ],
    ids=lambda c: " ".join(c),
)
def test_dates_at_the_end_of_the_calendar_get_an_answer(cli, tmp_path, command):
    """Three months after 9999-10-01 fall outside the calendar: the months are never complete."""
    path = tmp_path / "late.json"
    path.write_text(json.dumps(LATE_PROFILE))
    result = cli(command[0], path, *command[1:])
    assert result.exit_code == 0, result.stderr


def test_batch_at_the_end_of_the_calendar(cli, tmp_path):
    path = tmp_path / "late.jsonl"
    path.write_text(json.dumps(LATE_PROFILE) + "\n")
    result = cli("batch", path, "--on", "9999-12-31")
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)
    assert row["statuses"]["ru.contract.after-conscript-service"] == "does_not_apply"


def test_a_rule_counting_months_past_the_calendar_and_a_stage_in_its_last_month(cli, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    path = rules / "ru.contract.after-conscript-service.toml"
    path.write_text(path.read_text().replace("min_months = 3", "min_months = 200000"))
    stateless = rules / "ru.contract.stateless.toml"
    stateless.write_text(stateless.read_text().replace('date = "2024-07"', 'date = "9999-12"'))
    for command in (("check", RAM, "--on", "2024-08-01"), ("timeline", RAM), ("check", RAM, "--on", "9999-12-31")):
        result = cli(*command, "--rules", rules)
        assert result.exit_code == 0, (command, result.stderr)


def test_a_device_or_endless_file_is_refused_or_read_only_up_to_the_limit(cli, tmp_path):
    """/dev/zero reports no size and never ends: as a profile or a rule file, read whole, it is
    refused for what it is (not a regular file); as batch's input, which streams, at the line
    limit; each in one line, with bounded memory."""
    result = cli("check", "/dev/zero", "--on", "2024-08-01")
    assert result.exit_code == 2 and "(a regular file), found a character device" in one_line_error(result)
    result = cli("batch", "/dev/zero", "--on", "2024-08-01")
    assert result.exit_code == 2 and "/dev/zero:1: expected a profile of at most 16 MiB on one line" in one_line_error(
        result
    )
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "ru.zzz.endless.toml").symlink_to("/dev/zero")
    result = cli("check", RAM, "--on", "2024-08-01", "--rules", rules)
    assert result.exit_code == 2 and "expected a rule file (a regular file), found a character device" in (
        one_line_error(result)
    )


def test_an_overlong_line_is_skipped_without_holding_it(cli, tmp_path):
    from eligibility.runners import batch

    path = tmp_path / "people.jsonl"
    path.write_bytes(b'{"citizenships": []}\n' + b"x" * 5000 + b'\n{"citizenships": []}\n')
    with open(path, "rb") as stream:
        lines = [(number, len(raw)) for number, raw, _ in batch.numbered_lines(stream, limit=1000)]
    assert lines == [(1, 21), (2, 1002), (3, 21)]  # the overlong line cut past the limit and its end


def test_rules_check_reports_a_source_that_is_not_text(cli, tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(ROOT.parent / "shared" / "sources", sources) if (
        ROOT.parent / "shared" / "sources"
    ).is_dir() else sources.mkdir()
    (sources / "uk-intel-2024-08-05.txt").write_bytes(b"\xff\xfe not text")
    result = cli("rules", "check", "--sources", sources, "--width", "200")
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "source file uk-intel-2024-08-05.txt unreadable" in result.stdout
    assert "expected UTF-8 text" in result.stdout


def _wide_provision(rules: Path, when: str, count: int) -> Path:
    """A provision of `count` conditions combined by `when`, added to a copy of the rule base."""
    conditions = "".join(
        f'\n[[conditions]]\nid = "c{i}"\nsays = "condition {i}"\ntest = {{ fact = "stateless" }}\n'
        for i in range(count)
    )
    path = rules / "ru.test.wide.toml"
    path.write_text(f'''id = "ru.test.wide"
title = "A provision with many conditions"
jurisdiction = "RU"
when = "{when}"

[effect]
kind = "grants"
text = "Nothing."

[[cite]]
source = "extradition-law-2026-03-09"
quote = "Stateless individuals became eligible in July 2024."

[[stages]]
kind = "in_effect"
date = "2024-07"
[[stages.cite]]
source = "extradition-law-2026-03-09"
quote = "Stateless individuals became eligible in July 2024."

[in_force]
from = "in_effect"
{conditions}''')
    return path


def test_a_plain_all_of_many_conditions_compiles_and_answers(cli, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    _wide_provision(rules, "all(" + ", ".join(f"c{i}" for i in range(24)) + ")", 24)
    result = cli("check", RAM, "--on", "2024-08-01", "--rules", rules, "--format", "json")
    assert result.exit_code == 0, result.stderr
    wide = next(p for p in json.loads(result.stdout)["provisions"] if p["id"] == "ru.test.wide")
    assert wide["status"] == "does_not_apply"


def test_an_expression_past_the_engine_limits_is_one_line_and_rules_check_says_so(cli, tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    path = _wide_provision(rules, "any(" + ", ".join(f"all(c{2 * i}, c{2 * i + 1})" for i in range(10)) + ")", 20)
    result = cli("check", RAM, "--on", "2024-08-01", "--rules", rules)
    assert result.exit_code == 2
    assert one_line_error(result).startswith(
        f"eligibility: {path}: when: expected conditions that compile into at most"
    )
    checked = cli("rules", "check", "--rules", rules, "--width", "200")
    assert checked.exit_code == 1 and "compile into at most 2,000 engine rules" in checked.stdout

    wider = tmp_path / "wider"
    shutil.copytree(RULES, wider)
    _wide_provision(wider, "all(" + ", ".join(f"c{i}" for i in range(25)) + ")", 25)
    result = cli("check", RAM, "--on", "2024-08-01", "--rules", wider)
    assert result.exit_code == 2 and "expected at most 24 conditions" in one_line_error(result)


def test_a_profile_with_more_family_members_than_the_limit_is_one_line(cli, tmp_path):
    from eligibility.people.profile import MAX_FAMILY_MEMBERS

    member = {"relation": "child", "person": {"citizenships": [{"country": "NP"}]}}
    path = tmp_path / "family.json"
    path.write_text(json.dumps({"citizenships": [{"country": "NP"}], "family": [member] * (MAX_FAMILY_MEMBERS + 1)}))
    result = cli("check", path, "--on", "2024-08-01")
    assert result.exit_code == 2
    assert f"family: expected at most {MAX_FAMILY_MEMBERS:,} family members in one profile" in one_line_error(result)


def test_missing_facts_of_many_relatives_are_listed_once_each_in_order(tmp_path):
    from eligibility import check

    member = {"relation": "child", "person": {"service": [{"country": "RU", "start": "2023-01-01"}]}}
    report = check({"citizenships": [{"country": "NP"}], "family": [member] * 3000}, "2024-08-01")
    missing = report.provision("ru.citizenship.family-members").missing
    assert len(missing) == len(set(missing)) and missing[:2] == [
        "family[0].person.citizenships",
        "family[0].person.service[0].kind",  # Decree No. 10: a contract, in any military formation
    ]
