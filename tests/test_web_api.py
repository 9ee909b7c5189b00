"""The explorer in-process: every page and the HTTP API, driven through Starlette's test client.

The API answers what the command line answers (POST /api/check is `check --format json`), bad
input gets the command line's one-line message in a stable shape, and the limits hold: no path
named by the client is read, bodies are bounded, hosts are checked, strings are escaped.
"""

from __future__ import annotations

import json
import re
import socket

import pytest

pytest.importorskip("fastapi", reason="the explorer's extra is not installed (pip install -e '.[serve]')")

from fastapi.testclient import TestClient  # noqa: E402

from eligibility import api  # noqa: E402
from eligibility.web.app import MAX_BODY, create_app  # noqa: E402
from eligibility.web.links import View, decode_profile, encode_profile  # noqa: E402

from .conftest import PEOPLE, one_line_error  # noqa: E402

RAM = PEOPLE / "nepali-contract-soldier.json"
SITA = PEOPLE / "nepali-soldier-wife.json"


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(api.rule_base(), hosts=["testserver"], examples=PEOPLE))


def _data(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _cli_json(cli, *args):
    result = cli(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_every_page_answers(client):
    provision = "ru.citizenship.contract-service"
    link = View(p=encode_profile(_data(RAM)), on="2024-08-01").query()
    for url in (
        "/law",
        "/law?country=UA",
        "/law?effect=grants&in_force=yes&on=2024-08-01&q=contract",
        f"/law/{provision}",
        f"/law/{provision}?known_on=2023-01-01&evidence=articles&on=2022-06-01",
        "/person",
        f"/person?{link}",
        f"/person?{link}&vs=2022-06-01&set=service[0].combat=false&make=ru.citizenship.family-members",
        "/api",
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.text[:500])
        assert response.headers["content-type"].startswith("text/html")
        assert "Content-Security-Policy" in response.headers
        text = response.text
        # everything the page loads is this server's; a link out is only ever a source's address
        assert all(src.startswith("/") for src in re.findall(r'(?:src|action)="([^"]*)"', text)), url
        assert re.findall(r'<link [^>]*href="([^"]*)"', text) == ["/static/site.css"]
        outward = re.findall(r'<a href="(https?:[^"]*)"([^>]*)>', text)
        assert all('rel="noreferrer noopener"' in rest for _, rest in outward), url


def test_the_law_page_filters(client):
    rules = api.rule_base()
    everything = client.get("/api/provisions").json()
    assert {p["id"] for p in everything} == set(rules.provisions)
    ukrainian = client.get("/api/provisions?country=UA").json()
    assert ukrainian and all(rules.provisions[p["id"]].jurisdiction == "UA" for p in ukrainian)
    # the 2024 decree: in force in August 2024, not yet in 2023
    decree = "ru.citizenship.contract-service"
    assert decree in {p["id"] for p in client.get("/api/provisions?on=2024-08-01&in_force=yes").json()}
    assert decree in {p["id"] for p in client.get("/api/provisions?on=2023-06-01&in_force=no").json()}
    found = client.get("/api/provisions?q=extradition").json()
    assert found and all("extradit" in json.dumps(rules.provisions[p["id"]].model_dump()).lower() for p in found)
    bad = client.get("/api/provisions?country=XX")
    assert bad.status_code == 422 and bad.json()["error"]["message"] == "country: expected RU or UA, got 'XX'"


def test_a_provision_page_shows_its_stages_sources_record_and_caveats(client, cli):
    provision = "ru.citizenship.contract-service"
    text = client.get(f"/law/{provision}").text
    assert "<svg" in text and 'class="stage"' in text
    data = client.get(f"/api/provisions/{provision}").json()
    assert data == _cli_json(cli, "rules", "show", provision)
    rules = api.rule_base()
    for source in {c.source for c in rules.provisions[provision].cite}:
        assert f"[{source}," in text


def test_check_through_the_api_is_the_command_lines(client, cli):
    answer = client.post("/api/check", json={"profile": _data(RAM), "on": "2024-08-01"})
    assert answer.status_code == 200
    assert answer.json() == _cli_json(cli, "check", RAM, "--on", "2024-08-01")
    articles = client.post(
        "/api/check", json={"profile": _data(RAM), "on": "2024-08-01", "evidence": "articles", "known_on": "2024-06-01"}
    )
    assert articles.json() == _cli_json(
        cli, "check", RAM, "--on", "2024-08-01", "--evidence", "articles", "--known-on", "2024-06-01"
    )


def test_timeline_diff_what_if_and_make_apply_are_the_command_lines(client, cli):
    sita = _data(SITA)
    assert client.post("/api/timeline", json={"profile": sita}).json() == _cli_json(cli, "timeline", SITA)
    assert client.post("/api/diff", json={"profile": sita, "from": "2023-01-01", "to": "2024-08-01"}).json() == (
        _cli_json(cli, "diff", SITA, "--from", "2023-01-01", "--to", "2024-08-01")
    )
    assert client.post(
        "/api/what-if", json={"profile": _data(RAM), "on": "2024-08-01", "set": {"service[0].kind": "volunteer"}}
    ).json() == _cli_json(cli, "what-if", RAM, "--on", "2024-08-01", "--set", 'service[0].kind="volunteer"')
    provision = "ru.citizenship.family-members"
    assert client.post(
        "/api/make-apply", json={"profile": _data(RAM), "on": "2024-08-01", "provision": provision}
    ).json() == _cli_json(cli, "what-if", RAM, "--on", "2024-08-01", "--make-apply", provision)


def test_a_bad_profile_gets_the_command_lines_message(client, cli, tmp_path):
    profile = {"citizenships": [{"country": "UK"}]}
    answer = client.post("/api/check", json={"profile": profile, "on": "2024-08-01"})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert set(error) == {"message", "file", "field"}
    assert (error["file"], error["field"]) == ("profile", "citizenships[0].country")
    written = tmp_path / "bad.json"
    written.write_text(json.dumps(profile))
    said = one_line_error(cli("check", written, "--on", "2024-08-01"))
    assert said == f"eligibility: {written}: " + error["message"].removeprefix("profile: ")
    assert "did you mean 'GB'" in error["message"]


@pytest.mark.parametrize(
    "body, message",
    [
        (
            b'{"profile": {}, "on": "2024-08-01", "on": "2024-09-01"}',
            "request: expected each key once in an object, got 'on' twice",
        ),
        (b"[1, 2]", "request: expected a JSON object, got"),
        (b'{"on": "2024-08-01"}', "request: profile: expected a profile (a JSON object), got none"),
        (b'{"profile": {}, "on": "1 August"}', "on: expected"),
        (b'{"profile": {}, "on": "2024-08-01", "evidnce": "all"}', "request: evidnce: unknown field"),
        (b'{"profile": {}, "on": "2024-08-01", "provisions": ["ru.nope"]}', "provisions: expected a provision id"),
    ],
)
def test_bad_requests_are_one_line(client, body, message):
    answer = client.post("/api/check", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    said = answer.json()["error"]["message"]
    assert said.startswith(message) or message in said, said
    assert "\n" not in said and "Traceback" not in said


def test_a_body_over_the_limit_is_refused(client):
    big = b'{"profile": {"id": "' + b"x" * MAX_BODY + b'"}, "on": "2024-08-01"}'
    answer = client.post("/api/check", content=big, headers={"content-type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["error"]["message"] == "request: expected a body of at most 1,048,576 bytes (1 MiB), got more"


def test_only_the_served_hosts_are_answered_and_cors_is_off(client):
    assert client.get("/law", headers={"host": "evil.example"}).status_code == 400
    answer = client.get("/api/provisions", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in {k.lower() for k in answer.headers}
    preflight = client.options(
        "/api/check", headers={"origin": "https://evil.example", "access-control-request-method": "POST"}
    )
    assert "access-control-allow-origin" not in {k.lower() for k in preflight.headers}


def test_no_endpoint_takes_a_server_path(client):
    document = client.get("/api/openapi.json").json()
    for path, methods in document["paths"].items():
        for spec in methods.values():
            names = [p["name"] for p in spec.get("parameters", [])]
            assert not {"path", "file", "dir", "directory", "rules"} & set(names), path
    # a profile is sent, never named: a path where the profile goes is just a bad link
    answer = client.get("/person?p=../../../../etc/passwd&on=2024-08-01")
    assert answer.status_code == 422 and "link: p: expected a profile as the explorer writes it" in answer.text


def test_the_openapi_document_is_served_here_and_names_every_endpoint(client):
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    for path in (
        "/api/provisions",
        "/api/provisions/{provision_id}",
        "/api/check",
        "/api/timeline",
        "/api/diff",
        "/api/what-if",
        "/api/make-apply",
    ):
        assert path in document["paths"], path
    schemas = document["components"]["schemas"]
    assert {"CheckRequest", "Report", "ErrorOut", "Profile"} <= set(schemas)
    assert document["paths"]["/api/check"]["post"]["responses"]["422"]
    assert client.get("/docs").status_code == 404  # the interactive page would fetch scripts from elsewhere


def test_what_a_profile_says_is_shown_as_text(client):
    data = _data(RAM) | {"id": "<script>alert(1)</script>"}
    text = client.get(f"/person?{View(p=encode_profile(data), on='2024-08-01').query()}").text
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_the_form_judges_and_redirects_to_a_link_that_reproduces_the_view(client):
    data = _data(RAM)
    answer = client.post(
        "/person",
        data={"profile": json.dumps(data), "on": "2024-08-01", "evidence": "articles", "known_on": ""},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    link = answer.headers["location"]
    page = client.get(link).text
    rules = api.rule_base()
    assert f"rb={rules.digest}" in link and "evidence=articles" in link
    for provision in rules.provisions:
        assert f"<span class=id>{provision}</span>" in page
    assert decode_profile(dict(x.split("=", 1) for x in link.split("?", 1)[1].split("&"))["p"]) == data


def test_a_bad_profile_in_the_form_is_shown_above_the_form_with_what_was_written(client):
    answer = client.post("/person", data={"profile": '{"citizenship": []}', "on": "2024-08-01"})
    assert answer.status_code == 422
    assert (
        "profile: citizenship: unknown field" in answer.text and "did you mean &#x27;citizenships&#x27;" in answer.text
    )
    assert "{&quot;citizenship&quot;: []}" in answer.text  # kept in the form to correct


def test_an_upload_judges_the_file(client):
    answer = client.post(
        "/person/upload",
        files={"file": ("ram.json", RAM.read_bytes(), "application/json")},
        data={"on": "2024-08-01"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/person?p=")


def test_a_link_made_with_another_rule_base_says_so(client):
    link = View(p=encode_profile(_data(RAM)), on="2024-08-01", rb="0123456789abcdef").query()
    text = client.get(f"/person?{link}").text
    assert "This link was made with rule base 0123456789abcdef" in text


def test_downloads(client, cli):
    link = View(p=encode_profile(_data(RAM)), on="2024-08-01").query()
    report = client.get(f"/person/report.json?{link}")
    assert report.headers["content-disposition"] == 'attachment; filename="report-2024-08-01.json"'
    assert report.json() == _cli_json(cli, "check", RAM, "--on", "2024-08-01")
    csv = client.get(f"/person/report.csv?{link}").text
    assert csv == cli("check", RAM, "--on", "2024-08-01", "--format", "csv").stdout
    assert client.get(f"/person/timeline.svg?{link}").text.startswith("<svg")
    for form, shown in (("report.html", '<ol class="bibliography">'), ("report-full.html", 'class="provision"')):
        page = client.get(f"/person/{form}?{link}").text  # the short report, as `report` writes it; --full
        assert page.startswith("<!DOCTYPE html>") and shown in page, form
    assert client.get(f"/person/profile.json?{link}").json() == _data(RAM)


def test_a_link_round_trips_and_a_damaged_one_is_one_line():
    data = _data(SITA)
    assert decode_profile(encode_profile(data)) == data
    with pytest.raises(Exception) as caught:
        decode_profile(encode_profile(data)[:-5])
    assert str(caught.value).startswith("link: p: expected a whole link (copy all of it), got one cut short")


def test_serve_stops_at_start_with_one_line_on_a_bad_rule_base_or_a_busy_port(cli, tmp_path):
    said = one_line_error(cli("serve", "--rules", tmp_path / "nowhere"))
    assert said.startswith("eligibility: ") and "nowhere" in said
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--port", port)
        assert result.exit_code == 2
        assert one_line_error(result) == (
            f"eligibility: --port: expected a port free on 127.0.0.1, got {port}: Address already in use"
        )


def test_pages_are_sent_compressed(client):
    link = View(p=encode_profile(_data(RAM)), on="2024-08-01").query()
    answer = client.get(f"/person?{link}", headers={"accept-encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip"


def test_what_the_second_look_found(client):
    """A year-9999 timeline, a link nested too deep or with a key written twice, a family too large
    for a page, a wrong provision or date: each one line and a 4xx, never a 500."""
    import base64
    import zlib

    link = View(p=encode_profile(_data(RAM)), on="2024-08-01").query()
    assert client.get(f"/person?{link}&end=9999-12-30").status_code == 200
    assert client.get(f"/person/timeline.svg?{link}&end=9999-12-31").status_code == 200
    for raw, words in (
        (b"[" * 100_000 + b"]" * 100_000, "nests too deeply"),
        (b'{"id": "first", "id": "second"}', "each key once"),
    ):
        p = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")
        for path in ("/person", "/person/report.json", "/person/profile.json"):
            answer = client.get(f"{path}?p={p}&on=2024-08-01")
            assert answer.status_code == 422 and words in answer.text, (path, answer.text[:300])
    family = _data(RAM) | {"family": [{"relation": "child", "person": {}}] * 201}
    answer = client.post("/api/check", json={"profile": family, "on": "2024-08-01"})
    assert answer.status_code == 422
    assert answer.json()["error"]["message"].startswith("profile: family: expected at most 200 family members")
    assert client.get("/law/ru.citizenship.contract-service?on=2024-02-30").status_code == 422
    missing = client.get("/api/nothing")
    assert missing.status_code == 404 and set(missing.json()["error"]) == {"message", "file", "field"}


def test_api_errors_name_the_request_s_fields_not_the_command_line_s(client):
    said = client.post(
        "/api/what-if", json={"profile": _data(RAM), "on": "2024-08-01", "set": {"service[9].kind": "contract"}}
    ).json()["error"]
    assert said["file"] == "set" and "--set" not in said["message"]
    said = client.get("/api/provisions?evidence=zzz").json()["error"]
    assert said["file"] == "evidence" and said["message"].startswith("evidence: expected")
    said = client.get("/api/provisions/ru.nope").json()["error"]
    assert said["file"] == "provision" and "did you mean" in said["message"] or "rules list" in said["message"]


def test_a_family_of_a_thousand_is_refused_quickly_and_toggles_stay_bounded():
    from eligibility.web.app import MAX_TOGGLES, _toggles

    data = _data(RAM) | {"family": [{"relation": "child", "person": {"citizenships": [{"country": "NP"}]}}] * 150}
    found = _toggles(View(p="x", on="2024-08-01"), data)
    assert len(found) <= MAX_TOGGLES
    assert all(not words.startswith("forget family[") for words, _ in found)  # members removed whole


def test_hosts_are_checked_with_their_port_aside_ipv6_included():
    from eligibility.web.app import create_app

    app = create_app(api.rule_base(), hosts=["127.0.0.1", "localhost", "::1"])
    local = TestClient(app, base_url="http://[::1]:8612")
    assert local.get("/law").status_code == 200
    assert TestClient(app, base_url="http://localhost:8000").get("/law").status_code == 200
    other = TestClient(app, base_url="http://attacker.example:8000").get("/api/provisions")
    assert other.status_code == 400 and other.json()["error"]["field"] == "Host"


RAM_FIELDS = {
    "id": "Ram",
    "citizenships.known": "listed",
    "citizenships[0].country": "NP",
    "citizenships[0].acquired": "birth",
    "service.known": "listed",
    "service[0].country": "RU",
    "service[0].force": "armed_forces",
    "service[0].kind": "contract",
    "service[0].start": "2023-05-10",
    "military_registration[0].country": "RU",
    "military_registration[0].registered": "no",
    "on": "2024-08-01",
    "evidence": "all",
}


def test_the_profile_filled_in_field_by_field(client):
    """The fields give the same profile a file would, judged the same; a wrong field is marked with
    the command line's message; rows written are never dropped; one more row is a button."""
    answer = client.post("/person/fields", data=RAM_FIELDS, follow_redirects=False)
    assert answer.status_code == 303
    p = dict(x.split("=", 1) for x in answer.headers["location"].split("?", 1)[1].split("&"))["p"]
    assert decode_profile(p) == {
        "id": "Ram",
        "citizenships": [{"country": "NP", "acquired": "birth"}],
        "service": [{"country": "RU", "force": "armed_forces", "kind": "contract", "start": "2023-05-10"}],
        "military_registration": {"RU": False},
    }
    wrong = client.post("/person/fields", data=RAM_FIELDS | {"citizenships[0].country": "UK"})
    assert wrong.status_code == 422
    assert (
        'name="citizenships[0].country" value="UK" list="countries" size="4" autocomplete="off" aria-invalid="true"'
        in (wrong.text)
    )
    assert "did you mean &#x27;GB&#x27; (United Kingdom)?" in wrong.text
    kept = client.post(
        "/person/fields",
        data=RAM_FIELDS | {"residences.known": "unknown", "residences[0].country": "RU"},
        follow_redirects=False,
    )
    p = dict(x.split("=", 1) for x in kept.headers["location"].split("?", 1)[1].split("&"))["p"]
    assert decode_profile(p)["residences"] == [{"country": "RU"}]
    refused = client.post(
        "/person/fields", data=RAM_FIELDS | {"residences.known": "none", "residences[0].country": "RU"}
    )
    assert refused.status_code == 422 and "expected no rows when the list is &#x27;none&#x27;" in refused.text
    more = client.post("/person/fields", data=RAM_FIELDS | {"more": "service"})
    assert more.status_code == 200 and 'name="service[2].country"' in more.text and 'name="service[3].' not in more.text
    for field in ("since", "until", "start", "combat"):  # the schema's own words as the hints
        assert "title=" in more.text and field in more.text
