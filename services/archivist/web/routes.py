"""The web pages. Thin: each parses its request, calls the read side (``archivist.views``) or the
pipeline, and renders a template. Authorisation is the API's (``require(Scope...)``, the key
from the ``archivist_key`` cookie that sign-in sets); with ``ARCHIVIST_AUTH_REQUIRED`` off,
everything is open.

Errors render as pages: a caller without a key is sent to sign-in, a missing record or a bad
date is an HTML 404 or 422. Failures of the infrastructure (503) keep the API's JSON answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException

from archivist import pipeline, views
from archivist.access import authenticate, charge_submissions
from archivist.api.deps import KEY_COOKIE, AdminCaller, ReadCaller, RuntimeDep, SubmitCaller
from archivist.api.invalid import describe
from archivist.api.paths import archived_target
from archivist.api.schemas import MAX_BATCH
from archivist.core.access import Principal, Scope
from archivist.core.errors import AccessDenied, InvalidInput, NotFound, QueueUnavailable, QuotaExceeded, Unauthenticated
from archivist.core.memento import parse_timestamp
from archivist.core.search import query_words, word_spans
from archivist.observability import metrics
from archivist.web import present

__all__ = ["error_page", "router"]

_HERE = Path(__file__).resolve().parent
_STATIC = _HERE / "static"
templates = Jinja2Templates(directory=_HERE / "templates")

#: A status page lists at most this many captures (their ids travel in its URL).
MAX_STATUS_IDS = 100
_ERROR_STATUS = ((Unauthenticated, 401), (AccessDenied, 403), (NotFound, 404), (InvalidInput, 422),
                 (QuotaExceeded, 429))
_TIMESTAMP = re.compile(r"^\d{1,14}$")
#: Pages are the archive's own: no other site may frame them, and they load only from here.
_PAGE_CSP = ("default-src 'self'; img-src 'self' data:; frame-src 'self'; frame-ancestors 'self'; "
             "form-action 'self'; base-uri 'none'; object-src 'none'")


def _when(iso: str | None) -> str:
    """``2026-11-27T09:03:35.123Z`` as ``2026-11-27 09:03:35 UTC``."""
    return f"{iso[:10]} {iso[11:19]} UTC" if iso else "—"


def _stamp(timestamp: str | None) -> str:
    """A 14-digit timestamp as ``2026-11-27 09:03:35 UTC``."""
    if not timestamp:
        return "—"
    t = timestamp.ljust(14, "0")
    return f"{t[0:4]}-{t[4:6]}-{t[6:8]} {t[8:10]}:{t[10:12]}:{t[12:14]} UTC"


def _highlight(text: str | None, words: list[str] | tuple[str, ...]) -> Markup:
    """``text`` escaped, with each query word in ``<mark>`` (whole words, as the search matched them)."""
    if not text:
        return Markup("")
    out, last = [], 0
    for start, end in word_spans(text, words):
        out += [escape(text[last:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _shown(value: Any) -> str:
    """A metadata value for reading: lists joined, nothing as a dash."""
    if value is None or value == [] or value == "":
        return "—"
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


templates.env.filters.update(when=_when, stamp=_stamp, highlight=_highlight, shown=_shown)


def _render(request: Request, name: str, *, status_code: int = 200, caller: Principal | None = None,
            **context: Any) -> Response:
    settings = request.app.state.runtime.settings
    response = templates.TemplateResponse(
        request, name, {
            "caller": caller,
            "can_submit": caller is not None and caller.allows(Scope.SUBMIT),
            "is_admin": caller is not None and caller.allows(Scope.ADMIN),
            "auth_required": settings.auth_required,
            "signed_in": KEY_COOKIE in request.cookies,
            **context,
        },
        status_code=status_code,
    )
    response.headers["Content-Security-Policy"] = _PAGE_CSP
    return response


def error_page(request: Request, status: int, message: str) -> Response:
    """An error as the interface's page, for a browser's request that no page's route took."""
    return _render(request, "error.html", status_code=status, error=message, status=status)


class _Pages(APIRoute):
    """Turns the API's errors into pages: sign-in for a caller without a key, else an error page
    (a query parameter the route's types refuse included, and a form Starlette refuses to read,
    over its size or field limits: a browser is not sent JSON)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except Unauthenticated:
                back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                back = back if request.method == "GET" else "/"
                return RedirectResponse(f"/sign-in?{urlencode({'next': back})}", status_code=303)
            except (AccessDenied, NotFound, InvalidInput, QuotaExceeded) as exc:
                status = next(code for kind, code in _ERROR_STATUS if isinstance(exc, kind))
                page = _render(request, "error.html", status_code=status, error=exc.message, status=status)
                if isinstance(exc, QuotaExceeded):  # as the API says it: when to try again (RFC 6585)
                    page.headers["Retry-After"] = str(max(1, round(exc.retry_after)))
                return page
            except RequestValidationError as exc:  # ?page=abc, ?version=0, no ?url=: a page too
                return _render(request, "error.html", status_code=422, error=describe(exc), status=422)
            except HTTPException as exc:  # a form field over 1 MB, over 1,000 fields: Starlette's 400
                page = _render(request, "error.html", status_code=exc.status_code, error=str(exc.detail),
                               status=exc.status_code)
                page.headers.update(exc.headers or {})
                return page

        return route


router = APIRouter(route_class=_Pages, include_in_schema=False)


@router.get("/static/{name}")
def static(name: str) -> Response:
    """The stylesheet and the script: files of this package only, cached for a day."""
    files = {path.name: path for path in _STATIC.iterdir() if path.is_file()}
    if name not in files:
        raise NotFound(f"no static file {name!r}")
    return FileResponse(files[name], headers={"Cache-Control": "public, max-age=86400"})


# Home, submission and status -------------------------------------------------------------------


@router.get("/")
def home(request: Request, runtime: RuntimeDep, caller: ReadCaller) -> Response:
    """The submit box and the latest archived records."""
    return _render(request, "home.html", caller=caller, latest=views.search(runtime)["results"][:10])


@router.post("/captures")
def submit(runtime: RuntimeDep, caller: SubmitCaller, urls: Annotated[str, Form()] = "") -> Response:
    """Queue the URLs (one a line, or separated by spaces) and go to their status page."""
    given = urls.split()
    if not given:
        raise InvalidInput("give at least one URL")
    if len(given) > MAX_BATCH:  # the API's limit: the form is not a way around it
        raise InvalidInput(f"{len(given):,} URLs given: at most {MAX_BATCH:,} can be submitted at once")
    charge_submissions(runtime, caller, len(given))
    submissions = pipeline.submit(runtime, given)
    for item in submissions:
        metrics.SUBMISSIONS.labels("rejected" if item.status == "failed" else "accepted", item.reason or "").inc()
    query = [("id", s.id) for s in submissions[:MAX_STATUS_IDS]]
    if len(submissions) > MAX_STATUS_IDS:
        query.append(("submitted", len(submissions)))
    return RedirectResponse(f"/captures?{urlencode(query)}", status_code=303)


@router.get("/captures")
def status(request: Request, runtime: RuntimeDep, caller: ReadCaller,
           id: Annotated[list[str], Query()] = [],  # noqa: A002, B006
           submitted: Annotated[int | None, Query(ge=1)] = None) -> Response:
    """Where each submitted capture is; refreshes itself (a script, or a meta refresh) until all end.

    Of a batch larger than the page lists, ``submitted`` is its size: the page says that the
    rest are not shown, rather than "Done." over the first hundred.
    """
    captures = [views.get_capture(runtime, capture_id) for capture_id in id[:MAX_STATUS_IDS]]
    pending = any(c["status"] not in ("archived", "failed") for c in captures)
    unlisted = max(0, (submitted or 0) - len(captures))
    return _render(request, "captures.html", caller=caller, captures=captures, pending=pending, unlisted=unlisted)


# Search, records, diffs ------------------------------------------------------------------------


@router.get("/search")
def search(request: Request, runtime: RuntimeDep, caller: ReadCaller, q: str = "", url_prefix: str = "",
           host: str = "", from_: Annotated[str, Query(alias="from")] = "", to: str = "",
           page: Annotated[int, Query(ge=1)] = 1) -> Response:
    """Records by words, URL prefix, host and archive dates; a bad date is said on the page."""
    form = {"q": q, "url_prefix": url_prefix, "host": host, "from": from_, "to": to}
    try:
        found = views.search(runtime, q=q, url_prefix=url_prefix, host=host, since=from_, until=to, page=page)
    except InvalidInput as exc:
        return _render(request, "search.html", status_code=422, caller=caller, form=form, error=exc.message)
    pages = {}
    # From past the last page (a stale link, fewer records now), "previous" is the last page.
    for name, number in (("previous", min(page - 1, found["pages"])), ("next", page + 1)):
        if 1 <= number <= found["pages"]:
            pages[name] = "/search?" + urlencode({**{k: v for k, v in form.items() if v}, "page": number})
    return _render(request, "search.html", caller=caller, form=form, found=found, pages=pages,
                   words=query_words(q))


@router.get("/record")
def record_by_url(runtime: RuntimeDep, _caller: ReadCaller, url: str) -> Response:
    """The record of a URL (any page of it that was captured)."""
    return RedirectResponse(f"/records/{views.get_record(runtime, url)['id']}", status_code=303)


@router.get("/records/{record_id}")
def record(request: Request, record_id: str, runtime: RuntimeDep, caller: ReadCaller,
           version: Annotated[int | None, Query(ge=1)] = None) -> Response:
    """A record version: metadata, body, the comment thread, its pages and its versions."""
    found = views.get_record(runtime, record_id=record_id, version=version)
    return _render(request, "record.html", caller=caller, record=found,
                   paragraphs=[p for p in (found.get("body") or "").split("\n") if p.strip()],
                   thread=present.comment_thread(found.get("comments") or []))


@router.get("/records/{record_id}/diff")
def diff(request: Request, record_id: str, runtime: RuntimeDep, caller: ReadCaller,
         from_: Annotated[int | None, Query(alias="from", ge=1)] = None,
         to: Annotated[int | None, Query(ge=1)] = None, view: str = "side") -> Response:
    """Two versions compared: body side by side (or inline), comments added and removed, metadata."""
    changes = views.record_diff(runtime, record_id=record_id, from_version=from_, to_version=to)
    found = views.get_record(runtime, record_id=record_id)
    rows = present.diff_rows(changes["body"])
    return _render(request, "diff.html", caller=caller, diff=changes, record=found, view=view,
                   inline=rows, side=present.side_by_side(rows))


# Timeline and replay ---------------------------------------------------------------------------


@router.get("/timeline")
def timeline(request: Request, runtime: RuntimeDep, caller: ReadCaller, url: str) -> Response:
    """Every capture of a URL on a calendar, marked new content, unchanged or failed."""
    history = views.history(runtime, url)
    if not history["captures"]:
        raise NotFound(f"{history['url']} was never submitted")
    marks = present.capture_marks(history["captures"])
    return _render(request, "timeline.html", caller=caller, history=history, marks=marks,
                   months=present.months(marks))


@router.get("/replay/{timestamp}/{path:path}")
def replay_page(request: Request, timestamp: str, path: str, runtime: RuntimeDep, caller: ReadCaller) -> Response:
    """The archived page in a frame (replay's own sandbox stays on it) under a banner."""
    if not _TIMESTAMP.match(timestamp):
        raise InvalidInput(f"{timestamp!r} is not a timestamp of 1 to 14 digits")
    context = views.replay_context(runtime, archived_target(path, request), at=parse_timestamp(timestamp))
    if context["timestamp"] != timestamp:
        return RedirectResponse(f"/replay/{context['timestamp']}/{context['url']}", status_code=302)
    return _render(request, "replay.html", caller=caller, capture=context)


# Operations ------------------------------------------------------------------------------------


@router.get("/operations")
def operations(request: Request, runtime: RuntimeDep, caller: AdminCaller, requeued: int | None = None) -> Response:
    """Queue depths, dead letters (on Redis) and the recent failures by reason."""
    from dramatiq.brokers.redis import RedisBroker

    from archivist_workers.dead_letters import DEAD_LETTER_QUEUES, DeadLetters
    from archivist_workers.overview import queue_depths

    broker = runtime.queue.broker
    depths, letters, unavailable = [], {}, None
    try:
        depths = queue_depths(broker)
        if isinstance(broker, RedisBroker):
            letters = {queue: DeadLetters(broker).list(queue, limit=50) for queue in DEAD_LETTER_QUEUES}
    except QueueUnavailable as exc:
        unavailable = exc.message
    return _render(request, "operations.html", caller=caller, depths=depths, letters=letters,
                   on_redis=isinstance(broker, RedisBroker), unavailable=unavailable, requeued=requeued,
                   failures=views.failures(runtime, within=timedelta(hours=24)))


@router.post("/operations/requeue")
def requeue(runtime: RuntimeDep, _caller: AdminCaller, queue: Annotated[str, Form()],
            message_id: Annotated[str, Form()] = "") -> Response:
    """Send one dead letter back (or all of a queue's), reopening its capture."""
    from dramatiq.brokers.redis import RedisBroker

    from archivist_workers.dead_letters import DeadLetters, reopener

    broker = runtime.queue.broker
    if not isinstance(broker, RedisBroker):
        raise InvalidInput("dead letters are kept on Redis only")
    count = DeadLetters(broker).requeue(queue, [message_id] if message_id else None, reopen=reopener(runtime))
    return RedirectResponse(f"/operations?requeued={count}", status_code=303)


# Sign-in ---------------------------------------------------------------------------------------


#: What a browser drops from anywhere in a URL before reading it (the WHATWG URL standard).
_DROPPED_FROM_URLS = str.maketrans("", "", "\t\n\r")


def _local(target: str) -> str:
    """``target`` if it is a path on this site, else ``/``: sign-in never redirects elsewhere.

    It is read as a browser reads it (a link on the page, a ``Location``): "/<TAB>/x" is "//x",
    another site, and "/\\x" is "//x" too.
    """
    path = target.translate(_DROPPED_FROM_URLS)
    return path if path.startswith("/") and not path.startswith(("//", "/\\")) else "/"


@router.get("/sign-in")
def sign_in_form(request: Request, next: str = "/") -> Response:  # noqa: A002
    return _render(request, "sign_in.html", next=_local(next))


@router.post("/sign-in")
def sign_in(request: Request, runtime: RuntimeDep, key: Annotated[str, Form()] = "",
            next: Annotated[str, Form()] = "/") -> Response:  # noqa: A002
    """Check the key and keep it in an HttpOnly, SameSite=Strict cookie for the pages and replay."""
    try:
        authenticate(runtime, f"Bearer {key.strip()}")
    except Unauthenticated as exc:
        return _render(request, "sign_in.html", status_code=401, next=_local(next), error=exc.message)
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(KEY_COOKIE, key.strip(), httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")
    return response


@router.post("/sign-out")
def sign_out() -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(KEY_COOKIE, path="/", httponly=True, samesite="strict")
    return response
