"""Replay in pywb's URL scheme, with RFC 7089 (Memento) headers, and a CDX index server.

- ``GET /web/{timestamp}{modifier}/{url}``: a memento (``id_``: the original bytes).
- ``GET /web/*/{url}``: a page listing the URL's captures.
- ``GET /web/{url}``: the TimeGate (``Accept-Datetime``), 302 to the closest memento.
- ``GET /timemap/link/{url}``, ``GET /timemap/json/{url}``: every memento of the URL.
- ``GET /cdx?url=&matchType=&from=&to=&limit=&output=json``: CDXJ lines.
- ``/web/cdx`` and ``/web/timemap/...``: the same, where pywb serves them (under the prefix).

Replayed content is served under a ``Content-Security-Policy: sandbox`` without
``allow-same-origin``: the archived page's scripts run in an opaque origin and cannot call the
API with the user's credentials or read its responses. The same policy lets the page load only
from the archive, as pywb's does: what its scripts, an inline frame's HTML or a ``ping`` would
fetch from the live web (rewriting reaches none of them) is refused by the browser.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from archivist import replay
from archivist.api.deps import RuntimeDep, require
from archivist.api.paths import archived_target
from archivist.api.schemas import error_responses
from archivist.core.access import Scope
from archivist.core.cdx import FIELDS, parse_fields
from archivist.core.errors import InvalidInput
from archivist.core.memento import (
    Memento,
    format_http_date,
    link_header,
    parse_http_date,
    parse_timestamp,
    timemap_link_format,
)
from archivist.runtime import Runtime

router = APIRouter(tags=["replay"], dependencies=[Depends(require(Scope.READ))],
                   responses=error_responses(400, 401, 403, 404, 422, 503))

#: The archived page runs sandboxed and loads from the archive only ('self' is the archive's
#: origin, even for the opaque origin of a sandboxed document): pywb's policy, without its
#: ``ws: wss:`` (nothing live is replayed). Inline scripts and styles still run.
REPLAY_CSP = ("sandbox allow-scripts allow-forms allow-popups allow-popups-to-escape-sandbox allow-modals; "
              "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob: mediastream:; form-action 'self'")
#: The list of a URL's captures is our own plain page of links: it loads nothing, and only the
#: archive may frame it.
LISTING_CSP = "default-src 'none'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
#: Modifiers (pywb's) that replay without the banner: sub-resources and frames.
_NO_BANNER = frozenset({"im_", "js_", "cs_", "if_", "fr_", "oe_"})
#: ``{timestamp}{modifier}/{url}``; or ``{modifier}/{url}`` without a timestamp, pywb's permalink
#: to the latest capture in that view (``id_/{url}``: the latest original bytes).
_MEMENTO_PATH = re.compile(r"^(?:(?P<ts>\d{1,14})(?P<mod>[a-z]{2}_)?|(?P<latest>(?:mp|id|im|js|cs|if|fr|oe)_))"
                           r"/(?P<url>.+)$")
#: A memento path whose timestamp has too many digits: refused as such, where it would otherwise
#: be read as a TimeGate lookup of the URL "2024…/http://…".
_LONG_TIMESTAMP = re.compile(r"^(?P<ts>\d{15,})(?:[a-z]{2}_)?/.")
#: A first segment that starts as a timestamp but is none (``2021x``, ``2021-03-04``, ``2021ID_``)
#: before a URL with its scheme: a typo in a memento path, not a URL for the TimeGate.
_MALFORMED_TIMESTAMP = re.compile(r"^(?P<ts>\d[^/.:]*)/[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _memento(base: str, found: replay.Found) -> Memento:
    return Memento(f"{base}web/{found.timestamp}/{found.url}", found.moment)


async def _links(request: Request, runtime: Runtime, found: replay.Found) -> str:
    """The Link header of the found snapshot's memento (and of the TimeGate's redirect to it):
    the original (the URL it was found as), TimeGate and TimeMap, the memento itself, its
    first, previous, next and last."""
    base = str(request.base_url)
    related = await run_in_threadpool(replay.neighbours, runtime, found)
    url = found.url
    return link_header(original=url, timegate=f"{base}web/{url}", timemap=f"{base}timemap/link/{url}",
                       memento=_memento(base, found), related=[(rel, _memento(base, row)) for rel, row in related])


Endpoint = Callable[..., Awaitable[Response]]


def _get_and_head(path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
    """Route GET and HEAD (Memento clients probe TimeGates and mementos with HEAD) to one
    endpoint, as two operations: one route for both would give them one OpenAPI operationId."""
    def register(endpoint: Endpoint) -> Endpoint:
        return router.head(path, **options)(router.get(path, **options)(endpoint))
    return register


def _answers(description: str, *media_types: str, **more: dict) -> dict:
    """OpenAPI's description of a route that answers ``media_types`` (no JSON model)."""
    return {200: {"description": description, "content": {media: {"schema": {"type": "string"}}
                                                            for media in media_types}}, **more}


async def web(path: str, request: Request, runtime: RuntimeDep,
              accept_datetime: str | None = Header(None)) -> Response:
    """A memento when the path starts with a timestamp, a listing after ``*/`` (of the URL's
    captures, or of the URLs under a wildcard: ``*/example.org/*``), else the TimeGate."""
    if path.startswith("*/"):
        target = archived_target(path[2:], request)
        if target.startswith("*.") or target.endswith("*"):
            page = await run_in_threadpool(replay.url_listing, runtime, target)
        else:
            page = replay.listing(await run_in_threadpool(replay.mementos, runtime, target))
        return Response(page, media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": LISTING_CSP, "X-Content-Type-Options": "nosniff"})
    match = _MEMENTO_PATH.match(path)
    if match is None:
        if too_long := _LONG_TIMESTAMP.match(path):
            raise InvalidInput(f"a replay timestamp has 1 to 14 digits (YYYYMMDDhhmmss), not "
                               f"{len(too_long.group('ts'))}: {too_long.group('ts')!r}")
        if malformed := _MALFORMED_TIMESTAMP.match(path):
            raise InvalidInput(f"{malformed.group('ts')!r} is not a replay timestamp: 1 to 14 digits "
                               f"(YYYYMMDDhhmmss), then a modifier if any (id_, mp_, im_...)")
        return await _timegate(archived_target(path, request), request, runtime, accept_datetime)
    modifier = match.group("mod") or match.group("latest") or ""
    if modifier not in _NO_BANNER | {"", "mp_", "id_"}:
        raise InvalidInput(f"unknown replay modifier {modifier!r}")
    url = archived_target(match.group("url"), request)
    stamp = match.group("ts")
    found = await run_in_threadpool(replay.resolve, runtime, url, at=parse_timestamp(stamp) if stamp else None)
    exact = found.timestamp
    if stamp != exact:
        # pywb's behaviour: a partial, inexact or missing timestamp redirects to the memento's own URL.
        return RedirectResponse(f"/web/{exact}{modifier}/{found.url}", status_code=302)
    replayed = await run_in_threadpool(replay.load, runtime, found)
    if modifier == "id_":
        response = Response(replayed.raw_body, status_code=replayed.status or 200)
        for name, value in replayed.original_headers():
            response.headers.append(name, value)
    else:
        body = replay.render(
            replayed,
            link=lambda target, mod: f"/web/{exact}{mod}/{target}",
            banner=modifier not in _NO_BANNER,
            timemap_uri=f"/timemap/link/{replayed.url}",
        )
        response = Response(body, status_code=replayed.status or 200)
        if replayed.rendered_type:
            response.headers["Content-Type"] = replayed.rendered_type
    response.headers["Memento-Datetime"] = format_http_date(replayed.moment)
    response.headers["Link"] = await _links(request, runtime, found)
    response.headers["Content-Security-Policy"] = REPLAY_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


async def _timegate(url: str, request: Request, runtime: Runtime, accept_datetime: str | None) -> Response:
    try:
        at = parse_http_date(accept_datetime) if accept_datetime else None
    except InvalidInput as exc:
        # RFC 7089 4.1.1: a TimeGate answers a malformed Accept-Datetime with 400.
        return JSONResponse({"error": exc.reason, "detail": exc.message}, status_code=400)
    found = await run_in_threadpool(replay.resolve, runtime, url, at=at)
    location = f"{request.base_url}web/{found.timestamp}/{found.url}"
    return RedirectResponse(
        location,
        status_code=302,
        headers={"Vary": "accept-datetime", "Link": await _links(request, runtime, found)},
    )


@_get_and_head("/timemap/link/{path:path}", response_class=Response,
               responses=_answers("The TimeMap (RFC 7089).", "application/link-format"))
async def timemap_link(path: str, request: Request, runtime: RuntimeDep) -> Response:
    """Every memento of the URL in ``application/link-format``, oldest first."""
    url = archived_target(path, request)
    found = await run_in_threadpool(replay.mementos, runtime, url)
    original = found[0].url
    base = str(request.base_url)
    body = timemap_link_format(
        original=original,
        timegate=f"{base}web/{original}",
        self_uri=f"{base}timemap/link/{original}",
        mementos=[_memento(base, memento) for memento in found],
    )
    return Response(body, media_type="application/link-format")


@_get_and_head("/timemap/json/{path:path}", response_class=Response,
               responses=_answers("One CDX JSON object a line.", "application/x-ndjson"))
async def timemap_json(path: str, request: Request, runtime: RuntimeDep) -> Response:
    """Every memento of the URL as CDX JSON lines (pywb's ``/timemap/json``)."""
    found = await run_in_threadpool(replay.mementos, runtime, archived_target(path, request))
    lines = "".join(json.dumps(replay.cdx_fields(memento)) + "\n" for memento in found)
    return Response(lines, media_type="application/x-ndjson")


@router.get("/cdx", response_class=Response, responses=_answers(
    "CDXJ lines; JSON lines with `output=json`; space-separated fields with `output=text`.",
    "text/x-cdxj", "application/x-ndjson", "text/plain"))
async def cdx(
    runtime: RuntimeDep,
    url: str = Query(..., description="A URL; `example.com/path*` means prefix, `*.example.com` domain."),
    match_type: str = Query("exact", alias="matchType", pattern="^(exact|prefix|host|domain)$"),
    from_: str | None = Query(None, alias="from", pattern=r"^\d{1,14}$"),
    to: str | None = Query(None, pattern=r"^\d{1,14}$"),
    limit: int | None = Query(None, ge=-1_000_000, le=1_000_000,
                              description="The first N lines; -N: the last N (not 0)."),
    output: str | None = Query(None, pattern="^(json|cdxj|text)$",
                               description="json: one JSON object a line; text: the fields separated by spaces."),
    fl: str | None = Query(None, description="The fields to answer, comma-separated (`timestamp,url`)."),
    filter_: list[str] = Query([], alias="filter", description="[!][=|~]field:value, repeatable (pywb's)."),
    collapse: list[str] = Query([], description="field[:N], repeatable: adjacent lines alike in it, the first kept."),
    closest: str | None = Query(None, pattern=r"^\d{1,14}$", description="Nearest first (exact queries)."),
    sort: str | None = Query(None, pattern="^(closest|reverse)$",
                             description="reverse: last first; closest: `closest=` sorts (accepted for pywb clients)."),
    page: int | None = Query(None, ge=0, description="Only this page of the lines (from 0)."),
    page_size: int = Query(replay.CDX_PAGE_SIZE, alias="pageSize", ge=1, le=1_000_000, description="Lines a page."),
    show_num_pages: bool = Query(False, alias="showNumPages",
                                 description='`{"pages", "pageSize", "blocks"}` (JSON) instead of lines.'),
) -> Response:
    """Captures as CDXJ (``urlkey timestamp {json}``) or, with ``output=json``, JSON lines."""
    fields = parse_fields(fl) if fl is not None else None
    query = {"match_type": match_type, "since": from_, "until": to, "filters": filter_, "collapses": collapse}
    if show_num_pages:
        counted = await run_in_threadpool(replay.cdx_page_count, runtime, url, page_size=page_size, **query)
        return JSONResponse(counted)
    found = replay.cdx_query(runtime, url, limit=limit, closest=closest, reverse=sort == "reverse", page=page,
                             page_size=page_size, **query)
    # The first line is found before answering, so that a filter giving up on the lines before it
    # (a regular expression too slow to run) is a 422, not a stream cut short.
    first = await run_in_threadpool(next, found, None)
    if first is None and page:
        # pywb's answer, which paging clients (cdx_toolkit) read as the end of the pages.
        return JSONResponse({"error": "invalid_input", "detail": f"page {page} is past the last page of this "
                             "query (showNumPages=true counts them)"}, status_code=400)
    write = _CDX_OUTPUTS[output or "cdxj"]

    def lines() -> Iterator[str]:
        for line in itertools.chain([first] if first is not None else [], found):
            yield write(line, fields)

    media = {"json": "application/x-ndjson", "text": "text/plain"}.get(output or "", "text/x-cdxj")
    return StreamingResponse(lines(), media_type=media)


Fields = list[tuple[str, str]] | None


def _selected(line: dict[str, Any], fields: Fields) -> dict[str, Any]:
    """The line's fields that ``fl=`` asked for (all without it), under the names asked."""
    if fields is None:
        return line
    return {name: line[field] for name, field in fields if field in line}


def _cdxj_line(line: dict[str, Any], fields: Fields) -> str:
    rest = {k: v for k, v in _selected(line, fields).items() if k not in ("urlkey", "timestamp")}
    return f"{line['urlkey']} {line['timestamp']} {json.dumps(rest)}\n"


def _json_line(line: dict[str, Any], fields: Fields) -> str:
    return json.dumps(_selected(line, fields)) + "\n"


def _text_line(line: dict[str, Any], fields: Fields) -> str:
    """pywb's ``output=text``: the values separated by spaces, ``-`` for a field the line lacks."""
    names = fields if fields is not None else [(field, field) for field in FIELDS]
    return " ".join(str(line.get(field, "-")) for _, field in names) + "\n"


_CDX_OUTPUTS: dict[str, Callable[[dict[str, Any], Fields], str]] = {
    "cdxj": _cdxj_line, "json": _json_line, "text": _text_line,
}


# pywb serves a collection's TimeMaps and CDX index under its prefix too (``/{coll}/cdx``,
# ``/{coll}/timemap/link/{url}``), where pywb clients look for them. Registered before the
# prefix's own route, which would read ``cdx`` or ``timemap/link/...`` as an archived URL.
router.get("/web/cdx", response_class=Response, include_in_schema=False)(cdx)
_get_and_head("/web/timemap/link/{path:path}", response_class=Response, include_in_schema=False)(timemap_link)
_get_and_head("/web/timemap/json/{path:path}", response_class=Response, include_in_schema=False)(timemap_json)
_get_and_head("/web/{path:path}", response_class=Response, responses={**_answers(
    "The memento as archived (`id_`: its original bytes and headers), or the listing of captures (`*/`).",
    "*/*", **{"302": {"description": "The TimeGate's choice, or an inexact timestamp's memento."}}),
    **error_responses(410)})(web)
