import pytest

from archivist.core.errors import InvalidURL
from archivist.core.urls import canonicalize, url_hash, urlkey


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


def test_urlkey_is_surt_and_hash_is_stable() -> None:
    assert urlkey("http://www.example.com/news?id=7&page=2") == "com,example)/news?id=7&page=2"
    assert url_hash("http://example.com/a") == url_hash("https://example.com/a")
    assert url_hash("http://example.com/a") != url_hash("http://example.com/b")
    assert len(url_hash("http://example.com/a")) == 20
