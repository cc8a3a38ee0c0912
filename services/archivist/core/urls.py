"""URL validation, canonicalisation and index keys.

Canonicalisation is delegated to ``url-normalize`` (case, default ports, dot segments,
percent-encoding, IDN to punycode) and the index key to ``surt`` (the key pywb and the Wayback
Machine sort by). We only add the policy: http(s) only, a valid host name, no credentials, no
fragment, a length limit; and read backslashes and a host's percent-escapes as browsers do
(the WHATWG URL standard).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import unquote_to_bytes, urljoin, urlsplit, urlunsplit

import idna
import surt as _surt
from surt.IAURLCanonicalizer import alphaReorderQuery
from surt.URLRegexTransformer import stripPathSessionID, stripQuerySessionID
from url_normalize.generic_url_cleanup import generic_url_cleanup
from url_normalize.normalize_fragment import normalize_fragment
from url_normalize.normalize_host import normalize_host
from url_normalize.normalize_path import normalize_path
from url_normalize.normalize_port import normalize_port
from url_normalize.normalize_query import normalize_query
from url_normalize.normalize_scheme import DEFAULT_SCHEME, normalize_scheme
from url_normalize.normalize_userinfo import normalize_userinfo
from url_normalize.provide_url_scheme import provide_url_scheme
from url_normalize.tools import cleanup_url_input, deconstruct_url, reconstruct_url

from archivist.core.errors import InvalidURL

__all__ = ["MAX_URL_LENGTH", "canonicalize", "final_urlkey", "join", "shown_input", "url_hash", "urlkey"]

#: Longer URLs are refused: browsers and servers disagree beyond this, and keys must stay short.
MAX_URL_LENGTH = 2048

_SCHEMES = frozenset({"http", "https"})

#: ``url_normalize``'s host step (IDNA 2008 with UTS 46 mapping, label by label) is most of the
#: cost of canonicalising a URL, and a batch repeats the same few hosts. The step is a pure
#: function of the host text, so its cached result is the same string. Bounded, so a batch of
#: distinct hosts costs a little memory and no more.
_normalize_host = lru_cache(maxsize=4096)(normalize_host)

#: A path that url-normalize's path step returns as it is: non-empty, "/"-separated segments of
#: characters it never escapes (unreserved, and the sub-delimiters and ":@[]" it keeps), no
#: empty segment inside ("//" would collapse), no "." or ".." segment, no "%" to re-encode.
#: Most submitted paths are like this; the step's escaping pass is a third of canonicalising.
_PLAIN_PATH = re.compile(r"(?:/(?!\.\.?(?:/|$))[\w\-.~:@!$&'()*+,;=\[\]]+)*/?", re.ASCII)


def _url_normalize(url: str) -> str:
    """``url_normalize.url_normalize(url)`` with its default options, faster but equal.

    The host step is cached, and the steps that return their input unchanged (a plain path,
    no userinfo) are skipped.

    The same steps in the same order as url-normalize 3.1's ``url_normalize``, less the
    default-domain step (a no-op without a default domain). ``tests/core/test_urls.py`` checks
    the results against ``url_normalize`` itself, so an upgrade that changes the steps fails there.
    """
    url = cleanup_url_input(url)
    if not url:
        return url
    url = generic_url_cleanup(provide_url_scheme(url, DEFAULT_SCHEME))
    elements = deconstruct_url(url)
    host = _normalize_host(elements.host)
    scheme = normalize_scheme(elements.scheme)
    elements = elements._replace(
        host=host,
        scheme=scheme,
        # Almost no URL has userinfo, and url-normalize's escaping pass over "" still costs as
        # much as the host step once that is cached; "" normalises to "".
        userinfo=normalize_userinfo(elements.userinfo) if elements.userinfo else "",
        query=normalize_query(elements.query, host=host, filter_params=False, param_allowlist=None),
        fragment=normalize_fragment(elements.fragment),
        port=normalize_port(elements.port, scheme),
        path=elements.path if elements.path and _PLAIN_PATH.fullmatch(elements.path) else normalize_path(
            elements.path, scheme
        ),
    )
    return reconstruct_url(elements)


#: A URL that is already canonical, if its host is (``_is_canonical_host``): lower-case
#: http(s), a host of letters, digits, dots and hyphens, no userinfo or port, a plain path
#: (``_PLAIN_PATH``), and a query of non-empty "key" or "key=value" parameters made of
#: characters that url-normalize's query step leaves as they are (its safe characters and the
#: unreserved ones: no "%", no second "=", no empty parameter to drop). Nothing else.
_CANONICAL = re.compile(
    r"https?://([a-z0-9.\-]+)(/[^?#]*)"
    r"(?:\?[\w\-.~:/?@!$'()*+,;\[\]]+(?:=[\w\-.~:/?@!$'()*+,;\[\]]*)?"
    r"(?:&[\w\-.~:/?@!$'()*+,;\[\]]+(?:=[\w\-.~:/?@!$'()*+,;\[\]]*)?)*)?",
    re.ASCII,
)


def _is_canonical_host(host: str) -> bool:
    """Whether url-normalize's host step returns ``host`` as it is and :func:`canonicalize` accepts it."""
    if host.startswith(".") or ".." in host:
        return False
    try:
        return _normalize_host(host) == host and _host_problem(host) is None
    except (ValueError, UnicodeError):
        return False


#: What a label of a host name may hold once url-normalize made it ASCII: letters, digits and
#: hyphens (RFC 1123), and the underscores that real host names carry (``_dmarc``, ``a_b.cdn``).
_LABEL = re.compile(r"[a-z0-9_\-]{1,63}", re.ASCII)
#: RFC 1035: a name of at most 255 octets on the wire, so 253 characters written out.
_MAX_HOST_LENGTH = 253


@lru_cache(maxsize=4096)
def _host_problem(host: str) -> str | None:
    """What makes ``host``, as url-normalize's host step returns it, no host name, or None.

    No DNS server can answer for such a name, so a URL with one is refused when submitted
    rather than failing as ``unknown_host`` after a lookup. An ``xn--`` label must be
    punycode that IDNA decodes, in IDNA 2008 (UTS 46) or, failing that, IDNA 2003: the two
    standards url-normalize encodes Unicode hosts with, so every IDN it writes stays valid.
    """
    if ":" in host:
        return None  # an IPv6 literal (a name cannot hold ":"): urlsplit has checked it
    if len(host) > _MAX_HOST_LENGTH:
        return f"it is {len(host)} characters long; the limit is {_MAX_HOST_LENGTH}"
    for label in host.split("."):
        if not _LABEL.fullmatch(label):
            if len(label) > 63:
                return f"its label {label[:20]}... is {len(label)} characters long; the limit is 63"
            return f"its label {label!r} holds characters no host name can"
        if label.startswith("xn--") and not _decodes_as_idna(label):
            return f"its label {label!r} is not valid punycode (IDNA)"
    return None


def _decodes_as_idna(label: str) -> bool:
    try:
        idna.decode(label)
        return True
    except idna.IDNAError:
        pass
    try:
        label.encode("ascii").decode("idna")
        return True
    except UnicodeError:
        return False



def canonicalize(url: str, *, max_length: int = MAX_URL_LENGTH) -> str:
    """Validate ``url`` and return its canonical form.

    A missing scheme means ``https``. The fragment is dropped: it never reaches the server.

    A URL already in canonical form (``_CANONICAL``, with a host that url-normalize keeps) is
    returned as it is: every step of url-normalize and every check below would leave it so,
    and most submitted URLs are like this. ``tests/core/test_urls.py`` compares the result
    with the full path's on a varied corpus.

    Raises:
        InvalidURL: not a string, empty, too long, not http(s), no host, or unparseable.
    """
    if isinstance(url, str) and len(url) <= max_length:
        simple = _CANONICAL.fullmatch(url)
        if simple is not None and _PLAIN_PATH.fullmatch(simple[2]) and _is_canonical_host(simple[1]):
            return url
    return _canonicalize(url, max_length=max_length)


#: What a refused input may hold that no catalog column can (NUL in PostgreSQL text, lone
#: surrogates in UTF-8: a JSON ``\ud800`` escape, an argument that is not UTF-8) and what a
#: listing should not print as it is (the other control characters).
_UNSHOWABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


#: The user name and password of a URL as written (``http://user:pass@host/``): whatever comes
#: before the last "@" of its authority, which ends at "/", "\\", "?" or "#". A scheme counts only
#: followed by a slash, so that in ``user:pass@host`` the user name is hidden too.
_USERINFO = re.compile(r"^(\s*(?:[A-Za-z][A-Za-z0-9+.\-]*:)?[/\\]+|\s*)[^/\\?#]+@")


def shown_input(raw: object, *, max_length: int = MAX_URL_LENGTH) -> str:
    """A refused input as the text to record and show: what was sent, readably and storably.

    Cut to ``max_length`` characters, with each control character and lone surrogate written
    as its Python escape (``\x00``, ``\udcff``), so that every catalog stores it, every answer
    encodes it, and a person sees which character was wrong. Credentials are written ``***``:
    the catalog keeps no secret, even a refused one.
    """
    text = _USERINFO.sub(r"\1***@", str(raw)[:max_length], count=1)
    return _UNSHOWABLE.sub(lambda found: found[0].encode("unicode_escape").decode("ascii"), text)


def _canonicalize(url: str, *, max_length: int) -> str:
    """:func:`canonicalize` for any input: url-normalize's steps, then our policy's checks."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidURL("empty URL")
    raw = url.strip()
    if len(raw) > max_length:
        raise InvalidURL(f"URL is {len(raw)} characters long; the limit is {max_length}")
    if any(ch in raw for ch in "\x00\r\n\t"):
        raise InvalidURL("URL contains control characters")
    raw = _as_browsers_read(raw)
    try:
        given = urlsplit(raw)
    except ValueError as exc:
        raise InvalidURL(f"malformed URL: {exc}") from exc
    has_authority = "://" in raw or raw.startswith("//")
    # "host:port/path" parses as scheme "host"; only a scheme followed by "//" is one.
    if has_authority and given.scheme and given.scheme.lower() not in _SCHEMES:
        raise InvalidURL(f"unsupported scheme {given.scheme!r}: only http and https can be archived")
    if not has_authority and given.scheme and not given.path[:1].isdigit():
        if given.scheme.lower() in _SCHEMES:
            raise InvalidURL(f"no \"//\" after {given.scheme + ':'!r}: write {given.scheme}://host/path")
        raise InvalidURL(f"unsupported scheme {given.scheme!r}: only http and https can be archived")
    if has_authority and not given.netloc:
        raise InvalidURL("URL has no host")
    try:
        # The authority as url-normalize's steps split it.
        authority = deconstruct_url(provide_url_scheme(raw, DEFAULT_SCHEME))
    except ValueError as exc:
        raise InvalidURL(f"malformed URL: {exc}") from exc
    if "%" in authority.host:
        authority = authority._replace(host=_percent_decoded_host(authority.host))
        raw = reconstruct_url(authority)
    # The user part as written ends with the one "@" that ends it: "@@host" has the user name "@".
    if authority.userinfo.removesuffix("@") not in ("", ":"):
        raise InvalidURL("URL holds credentials (a user name or password before the host): an archive "
                         "must not store or replay them, and they would be sent to the site; remove them")
    _check_given_host(authority.host)
    if authority.port and not (authority.port.isascii() and authority.port.isdigit()):
        # urlsplit reads a port of other digits ("١") as a number, and url-normalize reads
        # "x]y[::1]" as the host "x]y[" and the port ":1]" where urlsplit reads the host "::1".
        raise InvalidURL(f"malformed URL: its port {shown_input(authority.port)!r} is not a number")
    try:
        normalized = _url_normalize(raw)
        parts = urlsplit(normalized)
        port = parts.port  # raises ValueError on a malformed port
    except (ValueError, UnicodeError) as exc:
        raise InvalidURL(f"malformed URL: {exc}") from exc
    if parts.scheme not in _SCHEMES:
        raise InvalidURL(f"unsupported scheme {parts.scheme!r}: only http and https can be archived")
    host = parts.hostname
    if not host or host.startswith(".") or ".." in host or " " in host:
        raise InvalidURL("URL has no valid host")
    problem = _host_problem(host)
    if problem is not None:
        raise InvalidURL(f"invalid host name {authority.host!r}: {problem}")
    if port == 0:
        raise InvalidURL("port 0 is not a valid port")
    canonical = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))
    if len(canonical) > max_length:
        raise InvalidURL(f"URL is {len(canonical)} characters long once encoded; the limit is {max_length}")
    return canonical


#: The dots that separate labels of a host name (UTS 46 maps the last three to ".").
_DOTS = re.compile("[.\u3002\uff0e\uff61]")


#: What no host name may hold once percent-decoded (the WHATWG URL standard's forbidden host
#: code points that urlsplit would otherwise read as delimiters of another part).
_FORBIDDEN_IN_HOST = frozenset(" #%/:<>?@[\\]^|")


def _percent_decoded_host(host: str) -> str:
    """``host`` with its percent-escapes decoded, as browsers read it (WHATWG host parsing).

    ``http://ex%61mple.com/`` is a page of example.com in every browser, and the site's links
    may be written so; url-normalize would keep the escapes and no DNS server knows such a name.
    The escapes must spell UTF-8, and the decoded name may not hold a delimiter: browsers refuse
    ``http://a%2Fb.com/`` and so do we, rather than read another host out of it.

    Raises:
        InvalidURL: the host or its escapes are not UTF-8, or decode to a character no host name may hold.
    """
    try:
        decoded = unquote_to_bytes(host).decode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: the line it came from was not UTF-8
        raise InvalidURL(f"invalid host name {shown_input(host)!r}: it holds bytes that are not UTF-8") from exc
    except UnicodeDecodeError as exc:
        raise InvalidURL(f"invalid host name {host!r}: its percent-escapes are not UTF-8") from exc
    forbidden = sorted({ch for ch in decoded if ch in _FORBIDDEN_IN_HOST or ch < " " or ch == "\x7f"})
    if forbidden:
        raise InvalidURL(f"invalid host name {host!r}: decoded, it holds "
                         f"\"{shown_input(''.join(forbidden))}\", which no host name can")
    return decoded


def _check_given_host(host: str) -> None:
    """Refuse a host name, as written, that url-normalize would fail on or make another host.

    Its host step drops empty labels (``a..b`` would become ``a.b``) and cannot encode an
    over-long label; a single trailing dot (the fully qualified form) is no label.

    Raises:
        InvalidURL: a label is empty or too long, the name cannot be IDNA-encoded, or it holds
            a bracket other than those around an IPv6 literal.
    """
    if ("[" in host or "]" in host) and not (host.startswith("[") and host.endswith("]") and host.count("]") == 1):
        raise InvalidURL(f"malformed URL: its host {host!r} holds a bracket outside an IPv6 literal ([::1])")
    labels = _DOTS.split(host)
    if labels[-1] == "":
        labels.pop()
    for label in labels:
        if not label:
            raise InvalidURL(f"invalid host name {host!r}: it has an empty label")
        if len(label) > 63 and label.isascii():
            raise InvalidURL(f"invalid host name {host!r}: its label {label[:20]}... is {len(label)} "
                             "characters long; the limit is 63")
    try:
        _normalize_host(host)
    except (ValueError, UnicodeError) as exc:
        raise InvalidURL(f"invalid host name {host!r}: {exc}") from exc


def _as_browsers_read(url: str) -> str:
    """``url`` with each backslash before its query or fragment made a slash, as browsers read it.

    The WHATWG URL standard, which browsers follow, reads "\\" as "/" in the scheme separator,
    the authority and the path of an http(s) URL: ``http://example.com\\@evil.com/`` is a page
    of example.com. RFC 3986 parsers (urllib, url-normalize) read a user name and the host
    evil.com. Only http(s) URLs are archived; any other scheme is refused whatever its slashes.
    """
    if "\\" not in url:
        return url
    end = len(url)
    for mark in "?#":
        found = url.find(mark)
        if found != -1:
            end = min(end, found)
    return url[:end].replace("\\", "/") + url[end:]


def join(base: str, reference: str) -> str:
    """``reference`` (a Location header, a link) resolved against ``base`` as a browser resolves it.

    Backslashes before the reference's query count as slashes, as in :func:`canonicalize`:
    ``Location: /\\evil.com/`` leads a browser to evil.com, where ``urljoin`` stays on the site.

    Raises:
        ValueError: ``urljoin`` cannot split ``reference`` (a broken IPv6 literal).
    """
    return urljoin(base, _as_browsers_read(reference))


#: A URL that :func:`urlkey` keys without the whole of ``surt``: lower-case http(s), a plain
#: host (letters, digits, dots, hyphens) with an optional port, a path, an optional query, no
#: fragment. Most canonical URLs are like this.
_SURT_SIMPLE = re.compile(r"(https?)://([a-z0-9.\-]+(?::[0-9]+)?)(/[^?#]*)(?:\?([^#]*))?", re.ASCII)
#: A query that surt's percent-decoding and re-escaping return as it is: no "%", and only the
#: characters its escaping leaves alone (no space, control or non-ASCII character, no "#").
_SURT_PLAIN_QUERY = re.compile(r"""[\w\-.~!"$&'()*+,/:;<=>?@\[\\\]^`{|}]*""", re.ASCII)


@lru_cache(maxsize=4096)
def _surt_host(scheme: str, netloc: str) -> str | None:
    """The SURT key of ``scheme://netloc/`` less its final "/": ``com,example)``.

    Its host, port and scheme are all that surt reads to write the part up to ")"; the path
    after the first "/" plays no part in it. None when surt writes no ")" for this host (one
    that its cleanup empties) or refuses it: such URLs take surt's whole path.
    """
    try:
        key = _surt.surt(f"{scheme}://{netloc}/")
    except (ValueError, OSError):
        return None
    return key[:-1] if key.endswith(")/") else None


def urlkey(url: str) -> str:
    """The SURT key of a canonical URL (``com,example)/path?a=1``), as CDX indexes sort by.

    Equal to ``surt.surt(url)`` for every input. surt costs about a quarter of a submission,
    and most of it goes on steps that change nothing in a simple URL. For one that matches
    ``_SURT_SIMPLE`` and has a plain path (``_PLAIN_PATH``: nothing that surt's dot-segment,
    empty-segment, percent-decoding or escaping steps would change) and a plain query, the host
    part comes from a cache, and the path and query go through only the steps that can still
    change them, surt's own functions in surt's order: lower case, session-id stripping, the
    trailing "/" and the query's sort. Anything else is keyed by surt itself.
    ``tests/core/test_urls.py`` compares the two on a varied corpus.
    """
    simple = _SURT_SIMPLE.fullmatch(url)
    if simple is not None:
        scheme, netloc, path, query = simple.groups()
        host = _surt_host(scheme, netloc)
        if (host is not None and _PLAIN_PATH.fullmatch(path)
                and (not query or _SURT_PLAIN_QUERY.fullmatch(query))):
            key_path = stripPathSessionID(path.encode("ascii").lower())
            if len(key_path) > 1 and key_path.endswith(b"/"):
                key_path = key_path[:-1]
            key = host + key_path.decode("ascii")
            if query:
                key_query = alphaReorderQuery(stripQuerySessionID(query.encode("ascii")).lower())
                if key_query:
                    key += "?" + key_query.decode("ascii")
            return key
    return _surt.surt(url)


def final_urlkey(url: str, final_url: str) -> str | None:
    """The key a capture of ``url`` that ended on ``final_url`` is also found under: the SURT
    key of ``final_url`` when it is not ``url``'s own (``/?p=7`` landing on ``/2024/story/``),
    else None (no redirect, or one to an equal key: http to https, ``www.``, a trailing "/")."""
    key = urlkey(final_url)
    return key if key != urlkey(url) else None


def url_hash(url: str) -> str:
    """A short, fixed-length digest of the URL's SURT key, for object-store key prefixes."""
    return hashlib.sha1(urlkey(url).encode("utf-8")).hexdigest()[:20]


def host_prefixes(host: str) -> tuple[str, ...]:
    """The :func:`urlkey` prefixes of every URL on ``host`` (``example.org``, ``127.0.0.1:8080``,
    or a URL whose host is meant).

    A host that names no port takes every port (a key is ``org,example:8080)/...`` on another
    port than the scheme's); one that names a port takes that port alone.

    Raises:
        InvalidURL: ``host`` names no valid host.
    """
    key = urlkey(canonicalize(host)).split(")", 1)[0]
    return (f"{key})/",) if ":" in key else (f"{key})/", f"{key}:")
