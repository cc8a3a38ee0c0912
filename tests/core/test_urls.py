import ast
import gzip
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import surt
from url_normalize import url_normalize

from archivist.core import urls
from archivist.core.errors import InvalidURL
from archivist.core.urls import canonicalize, join, shown_input, url_hash, urlkey
from tests.support.paths import SHARED

CORPUS = SHARED / "benchmarks" / "article-extraction" / "html"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("HTTP://Example.COM:80/a/../b/./c?b=2&a=1#frag", "http://example.com/b/c?b=2&a=1"),
        ("example.com/path", "https://example.com/path"),
        ("http://bücher.de/ä", "http://xn--bcher-kva.de/%C3%A4"),
        ("https://example.com", "https://example.com/"),
        ("  http://example.com/x  ", "http://example.com/x"),
        ("http://[2001:db8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
    ],
)
def test_canonical_forms(given: str, expected: str) -> None:
    assert canonicalize(given) == expected


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("ftp://example.org/", "unsupported scheme"),
        ("javascript:alert(1)", "unsupported scheme"),
        ("file:///etc/passwd", "unsupported scheme"),
        ("data:text/html,hi", "unsupported scheme"),
        ("http://", "no host"),
        ("http:///x", "no host"),
        ("http://exa mple.org/", "no valid host"),
        ("http://x.org:99999/", "malformed"),
        ("http://[::1", "malformed"),
        ("", "empty"),
        ("http://example.org/\r\nX: y", "control characters"),
        ("http://example.org/" + "a" * 3000, "characters long"),
    ],
)
def test_invalid_urls_are_refused_with_a_reason(given: str, words: str) -> None:
    with pytest.raises(InvalidURL) as caught:
        canonicalize(given)
    assert words in caught.value.message
    assert caught.value.reason == "invalid_url"


@pytest.mark.parametrize(
    "given",
    ["http://user:secret@example.com/", "https://token@example.com/a", "http://:secret@example.com/",
     "//user:secret@example.org/x", "HTTP://User:Secret@Example.COM:8080/", "http://a@b@example.com/",
     # The user name "@" (only the last "@" ends the user part): it was kept, as "%40@", in the
     # canonical URL, which canonicalize then refused.
     "http://@@example.com/", "https://@@@example.com/a"],
)
def test_credentials_are_refused_and_never_shown(given: str) -> None:
    """An archive must not store or replay secrets, and httpx would send them as Basic auth."""
    with pytest.raises(InvalidURL) as caught:
        canonicalize(given)
    assert "credentials" in caught.value.message and "secret" not in caught.value.message.lower()
    assert "secret" not in shown_input(given).lower() and "***@" in shown_input(given)


def test_an_empty_user_part_is_no_credential() -> None:
    assert canonicalize("http://@example.com/a") == canonicalize("http://:@example.com/a") == "http://example.com/a"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # The WHATWG URL standard (browsers): in http(s), "\" before the query is a "/".
        ("http://example.com\\@evil.com/", "http://example.com/@evil.com/"),
        ("http://example.com\\a\\b?q=\\x", "http://example.com/a/b?q=%5Cx"),
        ("http:\\\\example.com\\a", "http://example.com/a"),
        ("https:/\\example.com/", "https://example.com/"),
        ("example.com\\a#\\b", "https://example.com/a"),
    ],
)
def test_backslashes_before_the_query_are_slashes_as_in_browsers(given: str, expected: str) -> None:
    assert canonicalize(given) == expected


def test_references_resolve_with_backslashes_as_slashes() -> None:
    assert join("http://example.com/a/b", "/\\evil.com/x") == "http://evil.com/x"
    assert join("http://example.com/a/b", "c\\d?e\\f") == "http://example.com/a/c/d?e\\f"


@pytest.mark.parametrize(
    "given",
    [
        # url-normalize reads the host "x]y[" and the port ":1]", urlsplit the host "::1": a URL
        # that no two parsers read alike was kept as it was, as a page of the loopback address.
        "https://x]y[::1]/",
        "http://_:0]x([::1]/",
        "http://example.com]/",
        "http://ex[ample.com/",
        "http://[::1]]/",
        # A port of digits that are not ASCII: urlsplit reads "١" as 1, no browser does.
        "http://example.com:\u0661/",
        "http://example.com:\uff18\uff10/",
    ],
)
def test_brackets_outside_an_ipv6_literal_and_ports_that_are_not_digits_are_malformed(given: str) -> None:
    with pytest.raises(InvalidURL) as caught:
        canonicalize(given)
    assert "malformed" in caught.value.message or "host" in caught.value.message


@pytest.mark.parametrize(
    ("given", "host", "words"),
    [
        ("http://exam<ple.com/", "exam<ple.com", "characters no host name can"),
        # Percent-escapes in a host are decoded as browsers decode them (WHATWG host parsing);
        # what they decode to must still be a host name.
        ("http://a%2Fb.com/", "a%2Fb.com", 'holds "/", which no host name can'),
        ("http://a%40b.com/", "a%40b.com", 'holds "@", which no host name can'),
        ("http://ex%2561mple.com/", "ex%2561mple.com", 'holds "%", which no host name can'),
        ("http://a%00b.com/", "a%00b.com", 'holds "\\x00", which no host name can'),
        ("http://a%ffb.com/", "a%ffb.com", "percent-escapes are not UTF-8"),
        ("http://ex%21ample.com/", "ex!ample.com", "characters no host name can"),
        ("http://ex!ample.com/a", "ex!ample.com", "characters no host name can"),
        ("http://xn--/", "xn--", "not valid punycode"),
        ("http://xn--zz.example.com/", "xn--zz.example.com", "not valid punycode"),
        ("https://xn--a.com/", "xn--a.com", "not valid punycode"),
        ("http://a..b/", "a..b", "empty label"),
        ("http://.example.com/", ".example.com", "empty label"),
        ("http://" + "x" * 64 + ".com/", "x" * 64 + ".com", "the limit is 63"),
        ("http://" + "a" * 60 + ".b" * 100 + "/", "a" * 60 + ".b" * 100, "the limit is 253"),
        ("http://\u200b.com/", "\u200b.com", "idna"),
    ],
)
def test_invalid_host_names_are_refused_naming_the_host(given: str, host: str, words: str) -> None:
    with pytest.raises(InvalidURL) as caught:
        canonicalize(given)
    assert repr(host) in caught.value.message and words in caught.value.message


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://a_b.example.com/", "http://a_b.example.com/"),
        ("http://_dmarc.example.com/", "http://_dmarc.example.com/"),
        ("http://example.com./x", "http://example.com/x"),
        ("http://☃.net/", "http://xn--n3h.net/"),  # IDNA 2003 only: browsers go there too
        ("http://xn--n3h.net/", "http://xn--n3h.net/"),
        ("http://faß.de/", "http://xn--fa-hia.de/"),  # IDNA 2008 only
        ("http://xn--fa-hia.de/", "http://xn--fa-hia.de/"),
        ("http://例え.テスト/", "http://xn--r8jz45g.xn--zckzah/"),
        ("http://example\uff0ecom/", "http://example.com/"),
        ("http://ab--cd.example/", "http://ab--cd.example/"),
        ("http://" + "a" * 63 + ".com/", "http://" + "a" * 63 + ".com/"),
        ("http://ex%41mple.com/a%2Fb", "http://example.com/a%2Fb"),  # only the host is decoded
        ("http://%E4%BE%8B.jp:80/", "http://xn--fsq.jp/"),
        ("127.0.0.%31:8080/x", "https://127.0.0.1:8080/x"),
    ],
)
def test_real_host_names_are_kept(given: str, expected: str) -> None:
    assert canonicalize(given) == expected


def test_urlkey_is_surt_and_hash_is_stable() -> None:
    assert urlkey("http://www.example.com/news?id=7&page=2") == "com,example)/news?id=7&page=2"
    assert url_hash("http://example.com/a") == url_hash("https://example.com/a")
    assert url_hash("http://example.com/a") != url_hash("http://example.com/b")
    assert len(url_hash("http://example.com/a")) == 20


# The cached host step ------------------------------------------------------------------------

_HOSTS = [
    "example.com", "EXAMPLE.com", "Example.COM.", ".example.com", "example.com..", "a..b.com", "..", "",
    "bücher.de", "BÜCHER.de", "xn--bcher-kva.de", "XN--BCHER-KVA.DE", "例え.テスト", "faß.de", "ΣΑΣ.gr",
    "ünï.cödé\u3002example", "example\uff0ecom", "example\uff61com\uff61", "☃.net", "xn--n3h.net", "\u200b.com",
    "exa mple.org", "ex%41mple.com", "a_b.example", "-leading.example", "trailing-.example", "ab--cd.com",
    "xn--a.com", "x" * 64 + ".com", "1.2.3.4", "0x7f000001", "2130706433", "localhost", "[2001:DB8::1]",
    "[fe80::1%25eth0]", "[FE80::1%25Eth0]", "[::1", "[::ffff:127.0.0.1]", "www.Ü.example", "münchen.de", "MÜNCHEN.DE",
]
_PORTS = ["", ":80", ":443", ":8080", ":0080", ":0", ":99999", ":", ":abc"]
_USERINFO = ["", "user@", "user:pass@", "@", ":@", "us%65r:p%40ss@", "ü@"]
_SCHEMES = ["http://", "https://", "HTTP://", "", "//", "ftp://"]
_PATHS = [
    "", "/", "/a/../b/./c", "/ä?q=1&&b=ü#frag", "/%7euser/%2F", "?x=1", "#!/route", "/a b", "/x?y=%zz", "//a//b/",
    "/a/.", "/a/..", "/a/..b", "/.a/", "/a/...", "/[x]/y", "/a/b/", "/~u/:@!$&'()*+,;=", "/a%2fb", "/%41", "/a/./",
    "/a\\b", "/a|b", '/a"b', "/a{b}", "/a^b", "/a`b", "/é", "/a/b.html;jsessionid=1",
]


def _generated() -> list[str]:
    """Hosts crossed with ports and userinfo; schemes and paths vary along with them."""
    corpus = []
    for h, host in enumerate(_HOSTS):
        for p, port in enumerate(_PORTS):
            for u, userinfo in enumerate(_USERINFO):
                index = h + p + u
                scheme, path = _SCHEMES[index % len(_SCHEMES)], _PATHS[index % len(_PATHS)]
                corpus.append(f"{scheme}{userinfo}{host}{port}{path}")
    return corpus


def _from_tests() -> list[str]:
    """Every string constant in the test suite: the URLs the tests use, and plenty of non-URLs."""
    found: set[str] = set()
    for path in Path(__file__).resolve().parents[1].rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
    return sorted(found)


def _from_corpus(limit: int = 3000) -> list[str]:
    """Links of the shared benchmark pages, as written in their HTML (none if it is absent)."""
    found: set[str] = set()
    for path in sorted(CORPUS.glob("*.html.gz")):
        found.update(re.findall(r"""href=["']([^"']{1,500})["']""", gzip.decompress(path.read_bytes()).decode("utf-8", "replace")))
        if len(found) >= limit:
            break
    return sorted(found)[:limit]


def _outcome(function: Callable[[str], object], url: str) -> object:
    try:
        return function(url)
    except Exception as exc:  # the same error, with the same words, is part of the same result
        return type(exc), str(exc)


def test_cached_normalisation_is_url_normalize_for_every_input(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = _generated() + _from_tests() + _from_corpus()
    assert len(corpus) > 3000
    urls._normalize_host.cache_clear()
    expected = {url: _outcome(url_normalize, url) for url in corpus}
    # Twice: the first pass fills the host cache, the second answers from it.
    for _ in range(2):
        for url in corpus:
            assert _outcome(urls._url_normalize, url) == expected[url], url
    assert urls._normalize_host.cache_info().hits > len(corpus)

    # canonicalize returns a URL already in canonical form as it is, without url-normalize's
    # steps: the same result, or the same error, as the full path with url_normalize itself.
    corpus += _surt_corpus() + _already_canonical()
    canonical = {url: _outcome(canonicalize, url) for url in corpus}
    monkeypatch.setattr(urls, "_url_normalize", url_normalize)
    for url in corpus:
        assert _outcome(lambda u: urls._canonicalize(u, max_length=urls.MAX_URL_LENGTH), url) == canonical[url], url
    assert sum(isinstance(result, str) for result in canonical.values()) > 1000
    assert sum(canonical[url] == url for url in corpus) > 1000  # the unchanged ones took the short path


def _already_canonical() -> list[str]:
    """URLs at and around the canonical form's edges: queries, dots, hyphens, IP hosts, odd hosts."""
    hosts = ["example.com", "a-b.example", "1.2.3.4", "2130706433", "xn--bcher-kva.de", "xn--a.com", "example.com.",
             "-x-.org", "ab--cd.com", "a_b.example", "x" * 64 + ".com", "localhost", "xn--n3h.net", ".a.com"]
    paths = ["/", "/a", "/a/b/", "/a/./b", "/a/..", "/~u/:@!$&'()*+,;=", "/a%20b", "/[x]", "/a/b.html"]
    queries = ["", "?a=1", "?b=2&a=1", "?a", "?a=", "?a=b=c", "?a&&b", "?=x", "?a=%41", "?a+b=c+d", "?q=/x?y@z",
               "?a=[1]", "?a=1&", "?&a", "?a=~'!$()*,;:", "?a=b#c", "?a b", "?é"]
    return [f"{scheme}{host}{path}{query}" for scheme in ("http://", "https://") for host in hosts
            for path in paths for query in queries]


def test_host_cache_is_bounded_and_keyed_by_the_host_as_written() -> None:
    urls._normalize_host.cache_clear()
    assert canonicalize("http://BÜCHER.de/a") == canonicalize("http://bücher.de/a") == "http://xn--bcher-kva.de/a"
    assert urls._normalize_host.cache_info().currsize == 2
    for i in range(urls._normalize_host.cache_info().maxsize + 10):
        canonicalize(f"http://host{i}.example/")
    assert urls._normalize_host.cache_info().currsize == urls._normalize_host.cache_info().maxsize


# The SURT key without the whole of surt ---------------------------------------------------------

_SURT_HOSTS = ["example.com", "www.example.com", "www2.example.com", "wwwexample.com", "a.b.co.uk", "1.2.3.4",
               "2130706433", "017.0.0.1", "1.2.3", "xn--bcher-kva.de", "host.", "www.", ".", "a..b.com", "-x-.org"]
_SURT_PORTS = ["", ":80", ":443", ":8080", ":0080", ":99999", ":"]
_SURT_PATHS = [
    "/", "/A/B/", "/a/b.html", "/a/(S(abcdefghijklmnopqrstuvwx))/page.aspx", "/(abcdefghijklmnopqrstuvwx)/x.ASPX",
    "/a/./b", "/a/../b", "/..", "/a//b", "//", "/~x/:@!$&'()*+,;=", "/a%20b", "/%41", "/Ünï", "/a b", "/x/", "/a\\b",
    "/_x-y.z~/", "/a\"b", "/a^b{c}", "/a;jsessionid=0123456789abcdef0123456789ABCDEF",
]
_SURT_QUERIES = [
    "", "?", "?b=2&a=1", "?B=2&a", "?a=&a", "?&&", "?jsessionid=0123456789abcdef0123456789ABCDEF&x=1",
    "?a=1&PHPSESSID=0123456789abcdef0123456789abcdef", "?sid=0123456789abcdef0123456789abcdef",
    "?ASPSESSIONIDabcdefgh=abcdefghijklmnopqrstuvwx&z", "?cfid=1&cftoken=2&q", "?a=%41", "?q=a b", "?q=ü",
    "?a=1#frag", "?x=\"<>\\^`{|}", "?a?b=/c:d@e", "?Z=1&z=0&Y",
]


def _surt_corpus() -> list[str]:
    """Hosts, ports and schemes crossed; paths and queries vary along with them, as surt treats them."""
    corpus = []
    for h, host in enumerate(_SURT_HOSTS):
        for p, port in enumerate(_SURT_PORTS):
            for s, scheme in enumerate(["http://", "https://", "HTTP://"]):
                for q, query in enumerate(_SURT_QUERIES):
                    path = _SURT_PATHS[(h + p + s + q) % len(_SURT_PATHS)]
                    corpus.append(f"{scheme}{host}{port}{path}{query}")
    corpus += [f"https://example.com{path}{query}" for path in _SURT_PATHS for query in _SURT_QUERIES]
    return corpus


def test_urlkey_is_surt_for_every_input() -> None:
    """``urlkey`` skips most of surt for simple URLs: the key, or the error, must be surt's own."""
    raw = _generated() + _from_tests() + _from_corpus() + _surt_corpus()
    canonical = [url for url in (_outcome(canonicalize, url) for url in raw) if isinstance(url, str)]
    corpus = raw + canonical
    assert len(canonical) > 3000
    urls._surt_host.cache_clear()
    expected = {url: _outcome(surt.surt, url) for url in corpus}
    # Twice: the first pass fills the host cache, the second answers from it.
    for _ in range(2):
        for url in corpus:
            assert _outcome(urlkey, url) == expected[url], url
    assert urls._surt_host.cache_info().hits > len(canonical)


@pytest.mark.parametrize(("url", "final_url", "expected"), [
    ("https://news.example/?p=7", "https://news.example/2024/05/harbour/", "example,news)/2024/05/harbour"),
    ("https://example.com/a", "https://news.example.com/a", "com,example,news)/a"),
    ("http://news.example/a", "https://news.example/a", None),   # scheme: SURT drops it
    ("https://news.example/a", "https://www.news.example/a", None),   # www. folded
    ("https://news.example/a", "https://news.example/a/", None),   # trailing slash dropped
    ("https://news.example/a", "https://news.example/a", None),   # no redirect
])
def test_final_urlkey_is_the_landed_urls_key_only_when_it_is_another(url: str, final_url: str, expected: str | None) -> None:
    assert urls.final_urlkey(url, final_url) == expected
