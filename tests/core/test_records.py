from archivist.core.records import content_fingerprint

BASE = {"url": "https://example.com/a", "title": "T", "body": "one\n\ntwo", "comments": [], "authors": ["A"]}


def test_fingerprint_ignores_provenance_and_key_order() -> None:
    with_provenance = {**BASE, "version": 3, "capture_ids": ["x"], "extractor": {"name": "n", "version": "1"}}
    reordered = dict(reversed(list(BASE.items())))
    assert content_fingerprint(BASE) == content_fingerprint(with_provenance) == content_fingerprint(reordered)


def test_fingerprint_changes_with_body_comments_or_metadata() -> None:
    base = content_fingerprint(BASE)
    assert content_fingerprint({**BASE, "body": "one\n\nthree"}) != base
    assert content_fingerprint({**BASE, "comments": [{"author": "x", "text": "hi"}]}) != base
    assert content_fingerprint({**BASE, "title": "T2"}) != base
    assert content_fingerprint({**BASE, "authors": ["A", "B"]}) != base
