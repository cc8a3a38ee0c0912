"""Properties of the pure functions that read what clients and archived pages hand us, checked on
generated input (hypothesis, derandomized: the same examples on every run).

Each either answers or raises its own documented error (``InvalidURL``, ``InvalidInput``), never
Python's (a ValueError from urljoin, an OverflowError from the calendar, lxml refusing a
value), and canonical URLs are canonical: canonicalising one again changes nothing. The shapes
of the input lean on what broke before: brackets, percent-escapes, lone surrogates, digits
that are not ASCII ("²", "٣"), numbers past any calendar.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archivist.core import cdx
from archivist.core.durations import parse_duration
from archivist.core.errors import InvalidInput, InvalidURL
from archivist.core.memento import parse_http_date, parse_timestamp
from archivist.core.rewrite import rewrite_css, rewrite_html
from archivist.core.urls import canonicalize, host_prefixes, urlkey

#: Derandomized, no deadline (the machine is shared; speed is not what is checked), few examples.
CHECKED = settings(max_examples=150, derandomize=True, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck))

#: Pieces a hostile URL is made of.
_URL_PIECES = st.sampled_from([
    "a", "Z", "0", "9", "-", ".", "_", "~", ":", "/", "?", "#", "[", "]", "@", "!", "$", "&", "'", "(", ")", "*", "+",
    ",", ";", "=", "%", "\\", " ", "\t", "\x00", "é", "中", "\ud800", "\u3002", "\uff0e", "%ff", "%2e", "%00", "%41",
    "xn--", "..", "//", "[::1]", ":80", ":0", ":99999", "http://", "https://", "HTTP://", "www.", "%E2%82%AC",
    "\u200b", "ß", "\u2168", "\u0130", "\u00ad", "\u00b2", "\u0663", "a" * 64,
])
#: A URL built part by part (scheme, user part, host, port, path), each part often malformed.
_AUTHORITY_URLS = st.tuples(
    st.sampled_from(["http://", "https://", "", "//", "HTTP://"]),
    st.sampled_from(["", "@", "@@", "u@", "u:p@", ":@", "@@@"]),
    st.lists(st.sampled_from(["a", "ex%41mple", "é", "xn--", "1.2.3.4", "[", "]", "[::1]", "[::1", "x]y", ".", "-",
                              "\u00b2", "_", "com"]), min_size=1, max_size=4).map("".join),
    st.sampled_from(["", ":", ":80", ":0", ":99999", ":\u0661", ":1]", ": 80"]),
    st.sampled_from(["", "/", "/a?b=1", "/%ff", "\\x", "#f"]),
).map("".join)
URLS = st.one_of(
    _AUTHORITY_URLS,
    st.text(max_size=40),
    st.lists(_URL_PIECES, max_size=12).map("".join),
    st.tuples(st.sampled_from(["http://", "https://", "", "//", "ftp://", "javascript:", "data:"]),
              st.lists(_URL_PIECES, max_size=10).map("".join)).map("".join),
)
NUMBERISH = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"[!=~]{0,2}(status|url|mime|timestamp|original|bogus)?:?[0-9\u00b2\u0663()*.a-z:]{0,12}", fullmatch=True),
    st.from_regex(r"[0-9]{0,22}[smhdw\u00b2\u0663]?", fullmatch=True),
    st.from_regex(r"(Mon, )?[0-9]{1,22} (Jan|Dec) [0-9]{1,22} [0-9]{1,22}:[0-9]{2}:[0-9]{2}( GMT| [+-][0-9]{4})?",
                  fullmatch=True),
)


@settings(CHECKED, max_examples=400)
@given(URLS)
def test_canonical_urls_are_canonical_and_refusals_are_invalid_url(url: str) -> None:
    try:
        canonical = canonicalize(url)
    except InvalidURL:
        return
    assert canonicalize(canonical) == canonical
    assert urlkey(canonical)
    try:
        assert host_prefixes(url)
    except InvalidURL:
        pass


@CHECKED
@given(NUMBERISH)
def test_times_durations_and_cdx_options_are_read_or_refused_as_invalid_input(text: str) -> None:
    for read in (parse_timestamp, lambda t: parse_timestamp(t, upper=True), parse_http_date, parse_duration,
                 cdx.parse_filter, cdx.parse_fields, cdx.parse_collapse):
        try:
            read(text)
        except InvalidInput:
            pass


def _element(tag: str, attributes: list[tuple[str, str]], text: str) -> str:
    return f"<{tag}{''.join(f' {name}={value!r}' for name, value in attributes)}>{text}</{tag}>"


_LINKS = st.one_of(URLS, st.sampled_from(["http://[::1", "http://[cdn]/x", "//[", "a.jpg 1x, http://[::1 2x",
                                          "0; url=http://[::1", "url(http://[x]/)", "\x01", "\x00"]))
_CSS = st.one_of(_LINKS.map(lambda url: f"url({url})"), _LINKS.map(lambda url: f"@import '{url}'"),
                 _LINKS.map(lambda url: f"image-set('{url}' 1x, url({url}) 2x)"))
_HTML = st.lists(st.builds(
    _element,
    st.sampled_from(["a", "img", "link", "script", "base", "meta", "style", "iframe", "object", "use", "source", "div"]),
    st.lists(st.tuples(st.sampled_from(["href", "src", "srcset", "style", "action", "data", "poster", "content",
                                        "http-equiv", "rel", "as", "integrity"]),
                       st.one_of(_LINKS, _CSS, st.sampled_from(["refresh", "stylesheet", "preload"]))), max_size=3),
    st.one_of(st.text(max_size=10), _CSS)), max_size=6).map("".join)


@CHECKED
@given(st.one_of(_HTML.map(lambda html: html.encode("utf-8", "surrogatepass")), st.binary(max_size=200)),
       st.sampled_from([None, "utf-8", "latin-1", "bogus", "utf-16"]))
def test_rewriting_any_page_gives_a_page(body: bytes, charset: str | None) -> None:
    """A link no parser reads is left alone, a control character percent-encoded: the replay of
    a page never fails on what the page holds."""
    rewritten = rewrite_html(body, page_url="http://example.com/a/b", link=lambda url, mod: f"/web/1{mod}/{url}",
                             charset=charset)
    assert isinstance(rewritten, bytes)
    assert isinstance(rewrite_css(body.decode("utf-8", "replace"), base_url="http://example.com/",
                                  link=lambda url, mod: f"/web/1{mod}/{url}"), str)
