"""The explorer's web app: the only module that talks to FastAPI, Starlette and uvicorn.

Every page and every API call goes through `eligibility.api`, the same functions as the command
line, so an answer here is the command line's answer.  Bad input is the command line's one-line
message: on a page, in a box above the form; from the API, status 422 and
`{"error": {"message", "file", "field"}}`.

Safety: served on 127.0.0.1 unless told otherwise; only the Host names of the address it serves
on are answered (a page of another site cannot reach it through a name it controls); no CORS;
no endpoint reads a path the client names (a profile is sent, or chosen from the examples by
name); request bodies are limited to MAX_BODY bytes; every user string is escaped; a Content
Security Policy allows nothing but this server.
"""

from __future__ import annotations

import errno
import json
import socket
from datetime import date
from pathlib import Path
from typing import Any, Awaitable, Callable, Literal, Optional, Sequence

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eligibility import api
from eligibility.explaining.report import CatalogueEntry, Report
from eligibility.exploring.alternatives import MakeApply, WhatIf
from eligibility.exploring.changes import Diff
from eligibility.exploring.over_time import DEFAULT_END, DEFAULT_START, Timeline
from eligibility.foundations.errors import InputError
from eligibility.foundations.files import decode_json
from eligibility.foundations.validation import input_error
from eligibility.judging.in_force import item_validity
from eligibility.law.rulebase import RuleBase
from eligibility.output.citing import cited
from eligibility.output.pictures import report_html, short_report_html, timeline_svg
from eligibility.people.edits import apply, parse_set, parse_unset
from eligibility.people.profile import Profile, parse_profile, profile_schema
from eligibility.web import fields, pages
from eligibility.web.links import MAX_LINK_PROFILE, View, decode_profile, encode_profile

MAX_BODY = 1024 * 1024  # bytes of a request body (a profile, a form, an upload)
MAX_MEMBERS = 200  # family members (all levels) in a profile the explorer judges: a page's work stays bounded
LOOPBACK = ("127.0.0.1", "localhost", "::1")
HINTS = (
    "Dates are YYYY-MM-DD; countries are ISO 3166-1 alpha-2 codes (NP, RU, UA), upper case.",
    "citizenships, residences and service are lists; leave a list out when it is not known.",
    'A family member is {"relation": "spouse", "person": {...}}: what the listed person is to the subject.',
)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
Evidence = Literal["all", "articles"]


# --- the API's request models ------------------------------------------------------------


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profile: Profile = Field(
        description="The person's profile (docs/profile.md; its JSON Schema: GET /schema/profile.json)."
    )
    evidence: Evidence = Field(default="all", description="Judge on every source, or on the five articles only.")
    known_on: Optional[str] = Field(
        default=None, description="YYYY-MM-DD: judge with only the sources published by that day."
    )


class CheckRequest(_Request):
    """Judge every provision for a person on a day (as `eligibility check`)."""

    on: str = Field(description="The day to judge on, YYYY-MM-DD.")
    provisions: Optional[list[str]] = Field(default=None, description="Only these provisions (ids).")


class RangeRequest(_Request):
    """A person between two days (as `eligibility timeline` and `eligibility diff`)."""

    start: str = Field(default=DEFAULT_START.isoformat(), alias="from", description="First day, YYYY-MM-DD.")
    end: str = Field(default=DEFAULT_END.isoformat(), alias="to", description="Last day, YYYY-MM-DD.")
    provisions: Optional[list[str]] = Field(default=None, description="Only these provisions (ids).")


class WhatIfRequest(_Request):
    """Judge the person again with facts changed or made unknown (as `eligibility what-if`)."""

    on: str = Field(description="The day to judge on, YYYY-MM-DD.")
    set: dict[str, Any] = Field(
        default_factory=dict, description='path -> new value, e.g. {"service[0].kind": "contract"}.'
    )
    unset: list[str] = Field(default_factory=list, description="Paths made unknown (or list items removed).")


class MakeApplyRequest(_Request):
    """The smallest sets of changes that would make one provision apply (`what-if --make-apply`)."""

    on: str = Field(description="The day to judge on, YYYY-MM-DD.")
    provision: str = Field(description="The provision's id.")


class ErrorDetail(BaseModel):
    message: str = Field(description="The whole one-line message, as the command line prints it.")
    file: str = Field(description="What was wrong: 'profile', 'request', 'on', a field of the request, ...")
    field: Optional[str] = Field(default=None, description="Where in it, as a path such as citizenships[0].country.")


class ErrorOut(BaseModel):
    error: ErrorDetail


# the command line's names for what was wrong, and the names a request gives the same things
REQUEST_WORDS = {
    "--evidence": "evidence",
    "--known-on": "known_on",
    "--from": "from",
    "--to": "to",
    "--set": "set",
    "--unset": "unset",
    "--set/--unset": "set",
    "--make-apply": "provision",
    "ID": "provision",
    "what_if": "set",
}


def as_request(error: InputError) -> InputError:
    """The error with the request's names for what the command line calls by its options."""
    file = REQUEST_WORDS.get(error.file, error.file)
    message = error.message
    for flag, word in REQUEST_WORDS.items():
        if flag.startswith("--"):
            message = message.replace(flag, word)
    return InputError(file, error.field, message) if (file, message) != (error.file, error.message) else error


def _error(error: InputError, status: int = 422) -> JSONResponse:
    error = as_request(error)
    detail = ErrorDetail(message=str(error), file=error.file, field=error.field)
    return JSONResponse(ErrorOut(error=detail).model_dump(), status_code=status, headers=SECURITY_HEADERS)


def _members(profile: Profile) -> int:
    count, level = 0, [profile]
    while level:
        following = [member.person for person in level for member in person.family or ()]
        count += len(following)
        level = following
    return count


def judgeable(profile: Profile) -> Profile:
    """A profile the explorer will judge: at most MAX_MEMBERS family members, all levels counted
    (the command line takes up to 20,000; a page or a call here should answer in moments)."""
    members = _members(profile)
    if members > MAX_MEMBERS:
        raise InputError(
            "profile",
            "family",
            f"expected at most {MAX_MEMBERS} family members in the explorer (all levels counted), got {members:,}; "
            "the command line takes up to 20,000",
        )
    return profile


def _parse(model: type[BaseModel], raw: bytes) -> Any:
    """A request body, read as the command line reads a file: JSON refused with one line on a
    duplicate key or a bad byte; the profile checked as a profile file is (its messages say
    `profile: FIELD: ...`); then the rest of the request."""
    data = decode_json(raw, "request")
    if not isinstance(data, dict):
        raise InputError.expected("request", None, "a JSON object", data)
    if "profile" not in data:
        raise InputError("request", "profile", "expected a profile (a JSON object), got none")
    data = {**data, "profile": judgeable(parse_profile(data["profile"], "profile"))}
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise input_error(error, model, "request") from None


# --- limits --------------------------------------------------------------------------------


class BodyLimit:
    """Refuses a request body larger than MAX_BODY bytes (by its Content-Length, or as it streams)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self._refuse(scope, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge()
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        error = InputError("request", None, f"expected a body of at most {self.limit:,} bytes (1 MiB), got more")
        response = _error(error, 413)
        await response(scope, _nothing, send)


class HostCheck:
    """Answers only requests addressed to a name the explorer serves (the Host header, its port
    aside; an IPv6 address in brackets): a page of another site cannot reach a server on this
    machine through a name that site controls.  `*` answers every name."""

    def __init__(self, app: ASGIApp, hosts: tuple[str, ...]):
        self.app, self.hosts = app, {h.strip("[]").lower() for h in hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or "*" in self.hosts:
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").lower()
        name = given[1 : given.index("]")] if given.startswith("[") and "]" in given else given.rsplit(":", 1)[0]
        if name in self.hosts:
            await self.app(scope, receive, send)
            return
        error = InputError("request", "Host", f"expected a request to {' or '.join(sorted(self.hosts))}, got {given!r}")
        if scope.get("path", "").startswith("/api/"):
            await _error(error, 400)(scope, receive, send)
        else:
            await HTMLResponse(pages.error_box(str(error)), status_code=400)(scope, receive, send)


class _TooLarge(Exception):
    pass


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


# --- the app ---------------------------------------------------------------------------------


def create_app(rules: RuleBase, hosts: Sequence[str] = LOOPBACK, examples: Optional[Path] = None) -> FastAPI:
    """The explorer over a rule base (the one every page judges on by default)."""
    app = FastAPI(
        title="eligibility",
        summary="Which dated provisions on foreign fighters, military service and citizenship in Russia and Ukraine "
        "apply to a person on a day, why, and on what source.",
        version="1",
        docs_url=None,  # the interactive pages fetch their scripts from elsewhere: not served
        redoc_url=None,
        openapi_url=None,
    )
    app.add_middleware(GZipMiddleware, minimum_size=2048)  # a person page is ~100 KB of HTML, ~15 KB sent
    app.add_middleware(HostCheck, hosts=tuple(hosts))
    app.add_middleware(BodyLimit)
    default_day = (rules.reviewed.day if rules.reviewed is not None else date.today()).isoformat()
    people = _examples(examples)

    @app.middleware("http")
    async def secure(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(InputError)
    async def bad_input(request: Request, error: InputError) -> Response:
        if request.url.path.startswith("/api/"):
            return _error(error)
        again = '<p><a href="/person">Start again</a></p>'
        page = pages.frame("A problem", [pages.error_box(str(as_request(error))), again], rules)
        return HTMLResponse(page, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def not_here(request: Request, error: StarletteHTTPException) -> Response:
        """404, 405 and the like, in the same shape as every other error."""
        said = InputError("request", None, f"{request.method} {request.url.path}: {error.detail}")
        if request.url.path.startswith("/api/"):
            return _error(said, error.status_code)
        return HTMLResponse(pages.frame("Not here", [pages.error_box(str(said))], rules), status_code=error.status_code)

    def base(evidence: str = "all", known_on: Optional[str] = None) -> RuleBase:
        return api.rule_base(rules, evidence, api.as_day(known_on, "known_on") if known_on else None)

    # --- static --------------------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def home() -> Response:
        return RedirectResponse("/law", status_code=303)

    @app.get("/static/site.css", include_in_schema=False)
    def css() -> Response:
        return PlainTextResponse(pages.CSS, media_type="text/css")

    @app.get("/static/site.js", include_in_schema=False)
    def js() -> Response:
        return PlainTextResponse(pages.SCRIPT, media_type="text/javascript")

    @app.get("/favicon.ico", include_in_schema=False)
    def icon() -> Response:
        return Response(pages.ICON, media_type="image/svg+xml")

    @app.get("/schema/profile.json", include_in_schema=False)
    def schema() -> Response:
        return JSONResponse(profile_schema())

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi() -> Response:
        return JSONResponse(_openapi(app))

    @app.get("/api", include_in_schema=False)
    def api_page() -> Response:
        return HTMLResponse(pages.api_page(rules, _openapi(app)["paths"]))

    # --- the law --------------------------------------------------------------------------

    def catalogue(params: dict[str, Optional[str]]) -> tuple[RuleBase, str, list[Any]]:
        evidence = params.get("evidence") or "all"
        judged = base(evidence)
        day = params.get("on") or default_day
        when = api.as_day(day, "on")
        for name, allowed in (("country", ("RU", "UA")), ("in_force", ("yes", "no", "unknown"))):
            value = params.get(name)
            if value and value not in allowed:
                raise InputError.expected(name, None, " or ".join(allowed), value)
        effects = {p.effect.kind for p in judged.provisions.values()}
        if params.get("effect") and params["effect"] not in effects:
            raise InputError.expected("effect", None, " or ".join(sorted(effects)), params["effect"])
        words = (params.get("q") or "").lower().split()
        rows = []
        for entry in api.catalogue(judged):
            provision = judged.provisions[entry.id]
            said = item_validity(judged.judged[entry.id], when)
            if params.get("country") and provision.jurisdiction != params["country"]:
                continue
            if params.get("effect") and provision.effect.kind != params["effect"]:
                continue
            if params.get("in_force") and said.value.word != params["in_force"]:
                continue
            if words and not all(w in _searchable(provision) for w in words):
                continue
            rows.append((entry, provision, said))
        return judged, day, rows

    FILTERS = ("q", "country", "effect", "on", "in_force", "evidence")

    @app.get("/law", include_in_schema=False)
    def law(request: Request) -> Response:
        params = {k: request.query_params.get(k) for k in FILTERS}
        try:
            judged, day, rows = catalogue(params)
        except InputError as error:
            return HTMLResponse(pages.law_page(rules, [], params, default_day, str(error)), status_code=422)
        return HTMLResponse(pages.law_page(judged, rows, params, day))

    @app.get(
        "/api/provisions",
        summary="Every provision, filtered",
        description="Query: q (words of a title, id, condition or quote), country (RU or UA), effect, on "
        "(YYYY-MM-DD), in_force (yes, no or unknown, on that day), evidence (all or articles).",
        response_model=list[CatalogueEntry],
    )
    def provisions(request: Request) -> Response:
        params = {k: request.query_params.get(k) for k in FILTERS}
        _, day, rows = catalogue(params)
        return JSONResponse(
            [
                entry.model_dump(mode="json", by_alias=True)
                | {"on": day, "in_force_on": said.value.word, "in_force_reason": said.explanation}
                for entry, _, said in rows
            ]
        )

    @app.get("/law/{provision_id}", include_in_schema=False)
    def provision(provision_id: str, request: Request) -> Response:
        q = request.query_params
        evidence = q.get("evidence") or "all"
        error = None
        try:
            judged = base(evidence)
        except InputError as problem:
            judged, error = rules, str(problem)
        known_id = api.known_provision(rules, provision_id, "provision")
        day = q.get("on") or default_day
        try:
            when = api.as_day(day, "on")
        except InputError as problem:
            day, when, error = default_day, api.as_day(default_day), str(problem)
        item = judged.provisions[known_id]
        known = None
        if q.get("known_on"):
            try:
                then = base(evidence, q["known_on"])
                if known_id in then.provisions:
                    known = {
                        "day": q["known_on"],
                        "validity": item_validity(then.judged[known_id], when),
                        "findings": api.explaining.explainer(then).discrepancies(known_id),
                    }
                else:
                    first = then.unreported.get(known_id)
                    known = {"day": q["known_on"], "unreported": True, "first_reported": first and first.isoformat()}
            except InputError as problem:
                error = str(problem)
        page = pages.provision_page(
            judged,
            item,
            day,
            item_validity(judged.judged[known_id], when),
            api.explaining.explainer(judged).discrepancies(known_id),
            cited(judged, item),
            known,
            evidence,
            error,
        )
        return HTMLResponse(page, status_code=200 if error is None else 422)

    @app.get(
        "/api/provisions/{provision_id}",
        summary="One provision as judged",
        description="As `rules show --format json`.",
    )
    def provision_json(provision_id: str, evidence: str = "all") -> Response:
        return JSONResponse(api.provision_data(provision_id, base(evidence)))

    # --- a person -------------------------------------------------------------------------

    @app.get("/person", include_in_schema=False)
    def person(request: Request) -> Response:
        q = request.query_params
        if not q.get("p"):
            body = ["<h1>A person</h1>", "<p>Write or paste a profile, or start from an example, then judge it.</p>"]
            body += pages.person_form("", q.get("on") or default_day, "all", "", people, HINTS, fields.render({}, None))
            return HTMLResponse(pages.frame("A person", body, rules, "/person"))
        return _person(_view(request), str(request.base_url))

    def _person(view: View, root: str, data: Any = None, notice: Optional[str] = None) -> Response:
        if data is None:
            data = decode_profile(view.p)
        profile = judgeable(parse_profile(data, "profile"))
        judged = base(view.evidence, view.known_on)
        day = api.as_day(view.on, "on")
        report = api.check(profile, day, judged)
        timeline = _timeline(view, profile, judged)
        diff = None
        if view.vs:  # the two days in the order of time, whichever was given first
            other = api.as_day(view.vs, "vs")
            diff = api.diff(profile, min(day, other), max(day, other), rules=judged)
        whatif = None
        if view.set or view.unset:
            edits = [parse_set(e) for e in view.set]
            whatif = api.what_if(
                profile, day, {e.path: e.value for e in edits}, [parse_unset(u).path for u in view.unset], judged
            )
        advice = api.make_apply(profile, view.make, day, judged) if view.make else None
        if view.rb and view.rb != rules.digest:
            notice = (
                f"This link was made with rule base {view.rb}; this explorer has {rules.digest}. The answers "
                "below are this rule base's and may differ from the ones the link was made to show."
            )
        share = None
        if len(view.p) <= MAX_LINK_PROFILE:
            share = f"{root}person?{View(**{**view.__dict__, 'rb': rules.digest}).query()}"
        else:
            notice = (notice + " " if notice else "") + (
                f"This profile is too large to share as a link ({len(view.p):,} characters encoded; the limit is "
                f"{MAX_LINK_PROFILE:,}): download the profile instead."
            )
        page = pages.person_page(
            judged,
            view,
            data,
            report,
            timeline,
            share,
            HINTS,
            diff,
            whatif,
            advice,
            _toggles(view, data),
            notice,
            fields.render(data, None),
        )
        return HTMLResponse(page)

    async def _submitted(request: Request, text: str, form: Any, data: Any = None) -> Response:
        """A profile sent by a form (as JSON text, or as fields already read into data)."""
        on = str(form.get("on") or default_day)
        evidence = str(form.get("evidence") or "all")
        known_on = str(form.get("known_on") or "") or None
        try:
            if data is None:
                data = decode_json(text.encode("utf-8"), "profile")
            judgeable(parse_profile(data, "profile"))
            api.as_day(on, "on")
            base(evidence, known_on)
        except InputError as error:
            body = ["<h1>A person</h1>", pages.error_box(str(error))]
            filled = fields.render(data, error)
            body += pages.person_form(text, on, evidence, known_on or "", people, HINTS, filled)
            return HTMLResponse(pages.frame("A person", body, rules, "/person"), status_code=422)
        view = View(p=encode_profile(data), on=on, evidence=evidence, known_on=known_on, rb=rules.digest)
        if len(view.p) > MAX_LINK_PROFILE:
            return _person(view, str(request.base_url), data)
        return RedirectResponse(f"/person?{view.query()}", status_code=303)

    @app.post("/person", include_in_schema=False)
    async def person_post(request: Request) -> Response:
        form = await request.form()
        return await _submitted(request, str(form.get("profile") or ""), form)

    @app.post("/person/fields", include_in_schema=False)
    async def person_fields(request: Request) -> Response:
        form = await request.form()
        on, evidence, known_on = (str(form.get(k) or "") for k in ("on", "evidence", "known_on"))
        try:
            data, more = fields.read(form)
        except InputError as error:
            body = ["<h1>A person</h1>", pages.error_box(str(error))]
            body += pages.person_form("", on, evidence, known_on, people, HINTS, fields.render({}, None))
            return HTMLResponse(pages.frame("A person", body, rules, "/person"), status_code=422)
        if more is not None:  # one more row in a list, and nothing judged yet
            filled = fields.render(data, None, more)
            text = json.dumps(data, ensure_ascii=False, indent=2)
            body = ["<h1>A person</h1>", *pages.person_form(text, on, evidence, known_on, people, HINTS, filled)]
            return HTMLResponse(pages.frame("A person", body, rules, "/person"))
        return await _submitted(request, json.dumps(data, ensure_ascii=False, indent=2), form, data)

    @app.post("/person/upload", include_in_schema=False)
    async def person_upload(request: Request) -> Response:
        form = await request.form()
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            raise InputError("upload", "file", "expected a profile file chosen to upload, got none")
        raw = await file.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(file.filename, None, "expected UTF-8 text (a JSON profile), got other bytes") from None
        return await _submitted(request, text, form)

    def _view(request: Request) -> View:
        q = request.query_params
        if not q.get("p"):
            raise InputError("link", "p", "expected a profile in the link, got none")
        return View(
            p=q["p"],
            on=q.get("on") or default_day,
            evidence=q.get("evidence") or "all",
            known_on=q.get("known_on") or None,
            start=q.get("start") or None,
            end=q.get("end") or None,
            vs=q.get("vs") or None,
            set=tuple(q.getlist("set")),
            unset=tuple(q.getlist("unset")),
            make=q.get("make") or None,
            rb=q.get("rb") or None,
        )

    def _download(content: str, media: str, name: str) -> Response:
        return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    def _checked(view: View) -> tuple[Profile, RuleBase, Report]:
        profile = judgeable(parse_profile(decode_profile(view.p), "profile"))
        judged = base(view.evidence, view.known_on)
        return profile, judged, api.check(profile, api.as_day(view.on, "on"), judged)

    @app.get("/person/report.json", include_in_schema=False)
    def report_json(request: Request) -> Response:
        _, _, report = _checked(_view(request))
        text = json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
        return _download(text, "application/json", f"report-{report.on}.json")

    @app.get("/person/report.csv", include_in_schema=False)
    def report_csv(request: Request) -> Response:
        from eligibility.explaining.tables import REPORT_COLUMNS, report_rows, to_csv

        _, _, report = _checked(_view(request))
        return _download(to_csv(report_rows(report), REPORT_COLUMNS), "text/csv", f"report-{report.on}.csv")

    @app.get("/person/timeline.svg", include_in_schema=False)
    def report_svg(request: Request) -> Response:
        view = _view(request)
        profile, judged, _ = _checked(view)
        timeline = _timeline(view, profile, judged)
        return _download(timeline_svg(timeline), "image/svg+xml", "timeline.svg")

    @app.get("/person/report.html", include_in_schema=False)
    def report_page(request: Request) -> Response:
        """The short report, as `eligibility report` writes it: three printed pages."""
        view = _view(request)
        profile, judged, report = _checked(view)
        timeline = _timeline(view, profile, judged)
        page = short_report_html(report, timeline, profile, judged)
        return _download(page, "text/html", f"report-{report.on}.html")

    @app.get("/person/report-full.html", include_in_schema=False)
    def report_full_page(request: Request) -> Response:
        """Every provision in full, as `eligibility report --full` writes it."""
        view = _view(request)
        profile, judged, report = _checked(view)
        timeline = _timeline(view, profile, judged)
        return _download(report_html(report, timeline), "text/html", f"report-{report.on}-full.html")

    @app.get("/person/profile.json", include_in_schema=False)
    def profile_json(request: Request) -> Response:
        data = decode_profile(_view(request).p)
        parse_profile(data, "profile")
        return _download(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "application/json", "profile.json")

    # --- the API --------------------------------------------------------------------------

    def _judged(request: Any) -> RuleBase:
        return base(request.evidence, request.known_on)

    def checked(body: Any, judged: RuleBase) -> Report:
        report = api.check(body.profile, api.as_day(body.on, "on"), judged)
        if body.provisions is None:
            return report
        wanted = [api.known_provision(judged, p, "provisions") for p in body.provisions]
        return report.model_copy(update={"provisions": [p for p in report.provisions if p.id in wanted]})

    endpoints: tuple[tuple[str, str, type[BaseModel], type[BaseModel], Callable[[Any, RuleBase], BaseModel]], ...] = (
        ("/api/check", "Judge every provision for a person on a day", CheckRequest, Report, checked),
        (
            "/api/timeline",
            "Every period of each provision's status",
            RangeRequest,
            Timeline,
            lambda body, judged: api.timeline(body.profile, body.start, body.end, body.provisions, judged),
        ),
        (
            "/api/diff",
            "What changed between two days, and why",
            RangeRequest,
            Diff,
            lambda body, judged: api.diff(body.profile, body.start, body.end, body.provisions, judged),
        ),
        (
            "/api/what-if",
            "Judge again with facts changed",
            WhatIfRequest,
            WhatIf,
            lambda body, judged: api.what_if(body.profile, body.on, body.set, body.unset, judged),
        ),
        (
            "/api/make-apply",
            "What would make one provision apply",
            MakeApplyRequest,
            MakeApply,
            lambda body, judged: api.make_apply(body.profile, body.provision, body.on, judged),
        ),
    )
    for path, summary, asked, answered, run in endpoints:
        _post(app, path, summary, asked, answered, run, _judged)

    return app


def _timeline(view: View, profile: Profile, judged: RuleBase) -> Timeline:
    """The person's timeline over the view's range (the command line's range where none is given)."""
    return api.timeline(profile, view.start or DEFAULT_START, view.end or DEFAULT_END, rules=judged)


def _post(
    app: FastAPI,
    path: str,
    summary: str,
    asked: type[BaseModel],
    answered: type[BaseModel],
    run: Callable[[Any, RuleBase], BaseModel],
    judged: Callable[[Any], RuleBase],
) -> None:
    """One API endpoint: the body read as the command line reads a file, judged on the evidence it
    asks for, the answer as its JSON."""

    async def handle(request: Request) -> Response:
        body = _parse(asked, await request.body())
        return JSONResponse(run(body, judged(body)).model_dump(mode="json"))

    app.post(path, summary=summary, description=asked.__doc__, response_model=answered, openapi_extra=_body(asked))(
        handle
    )


def _body(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI request body of an endpoint that reads its JSON itself (to refuse duplicate keys
    and word its errors as the command line does)."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
        },
        "x-request-model": model.__name__,
    }


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with the request models and the error shape among its schemas."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    document = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for model in (CheckRequest, RangeRequest, WhatIfRequest, MakeApplyRequest, ErrorOut):
        found = model.model_json_schema(ref_template="#/components/schemas/{model}", by_alias=True)
        schemas.update(found.pop("$defs", {}))
        schemas[model.__name__] = found
    for methods in document.get("paths", {}).values():
        for spec in methods.values():
            spec.pop("x-request-model", None)
            spec.setdefault("responses", {})["422"] = {
                "description": "Bad input: the command line's one-line message",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
            }
    app.openapi_schema = document
    return document


def _searchable(provision: Any) -> str:
    """What the law page's search looks in: the id, the title, the conditions' words and the quotes."""
    parts = [provision.id, provision.title, provision.effect.text]
    parts += [c.says for c in provision.conditions]
    parts += [c.quote or "" for c in provision.cite] + [q.quote or "" for c in provision.conditions for q in c.cite]
    return " ".join(parts).lower()


def _examples(folder: Optional[Path]) -> list[tuple[str, str]]:
    """The example people offered on the form: each a link that carries the profile itself."""
    if folder is None or not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.json"))[:40]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            profile = parse_profile(data, path.name)
        except (InputError, ValueError, OSError):
            continue
        found.append((profile.label(path.stem), View(p=encode_profile(data), on="2024-08-01").query()))
    return found


MAX_TOGGLES = 80  # what-if links shown on a person page


def _toggles(view: View, data: Any) -> list[tuple[str, str]]:
    """One change at a time, up to MAX_TOGGLES: each of the subject's facts made unknown, each list
    item removed (a family member as a whole), each yes/no turned over; only those that leave a
    valid profile (a required field is not offered alone, its item is).  A change outside the
    family is checked against the profile without it, so the cost does not grow with the family."""
    found: list[tuple[str, str]] = []
    own = {k: v for k, v in data.items() if k != "family"} if isinstance(data, dict) else {}

    def offer(words: str, edit: str, op: Literal["set", "unset"]) -> None:
        if len(found) >= MAX_TOGGLES:
            return
        if not edit.startswith("family["):
            try:
                parsed = parse_set(edit) if op == "set" else parse_unset(edit)
                parse_profile(apply(own, [parsed]), "profile")
            except InputError:
                return
        changes = {"set": (edit,), "unset": ()} if op == "set" else {"set": (), "unset": (edit,)}
        found.append((words, view.query(make=None, **changes)))

    def walk(node: Any, path: str) -> None:
        if len(found) >= MAX_TOGGLES:
            return
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else key)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                item = f"{path}[{index}]"
                offer(f"remove {item}", item, "unset")
                if path != "family":  # a member is removed whole, never edited from here
                    walk(value, item)
        elif path and path != "id" and not path.endswith(".id"):
            offer(f"forget {path} ({json.dumps(node)})", path, "unset")
            if isinstance(node, bool):
                flipped = json.dumps(not node)
                offer(f"{path} = {flipped}", f"{path}={flipped}", "set")

    walk(data, "")
    return found


# --- serving ---------------------------------------------------------------------------------


def serve(
    rules: RuleBase, host: str, port: int, open_browser: bool, examples: Optional[Path], say: Callable[[str], None]
) -> None:
    """Serve the explorer until Ctrl-C.  The port is tried first, so a busy one is a one-line error."""
    import uvicorn

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            # as uvicorn binds: a port left in TIME_WAIT by a server just stopped is free, one listened on is not
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except socket.gaierror as error:
        raise InputError(
            "--host", None, f"expected an address of this machine, got {host!r}: {error.strerror}"
        ) from None
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise InputError("--port", None, f"expected a port free on {host}, got {port}: {error.strerror}") from None
        raise InputError(
            "--host", None, f"expected an address of this machine, got {host!r}: {error.strerror}"
        ) from None
    local = host in LOOPBACK
    app = create_app(rules, list(LOOPBACK) if local else ["*"], examples)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/" if local or host not in ("0.0.0.0", "::") else f"http://127.0.0.1:{port}/"
    if not local:
        say(
            f"serving on {host}, not only this machine: anyone who can reach it can use the explorer, "
            "and requests addressed to any name are answered"
        )
    say(f"the explorer is on {address} (Ctrl-C stops it)")
    if open_browser:
        import webbrowser

        webbrowser.open(address)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,  # Ctrl-C waits at most this long for a page being made
    )
