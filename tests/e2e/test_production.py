"""The production path end to end: `archivist serve` and `archivist worker` as real processes on
Redis, PostgreSQL and SeaweedFS S3, the seed article served over real HTTP."""

from __future__ import annotations

import io

import httpx
from minio import Minio

from archivist.warc import read_response
from tests.support.pages import PageServer, wait_for
from tests.support.processes import ApiServer


def finished(client: httpx.Client, capture_id: str) -> dict | None:
    body = client.get(f"/v1/captures/{capture_id}").json()
    return body if body["status"] in ("archived", "failed") else None


def test_seed_article_through_api_workers_and_s3(
    production_stack: ApiServer, seed_site: PageServer, seed: dict, production_env: dict[str, str]
) -> None:
    urls = [seed_site.url(seed["pages"]["3"]), "gopher://example.org/", seed_site.url("/does-not-exist")]
    with httpx.Client(base_url=production_stack.base_url, timeout=30) as client:
        answer = client.post("/v1/captures", json={"urls": urls})
        assert answer.status_code == 202, answer.text
        captures = answer.json()["captures"]
        assert [c["url"] for c in captures[:1]] == urls[:1]
        assert captures[1]["status"] == "failed" and captures[1]["reason"] == "invalid_url"

        results = [wait_for(lambda c=c: finished(client, c["id"]), timeout=120, what=f"capture {c['id']}")
                   for c in captures]
        assert results[0]["status"] == "archived", results[0]
        assert results[0]["state"] == "success"
        assert len(results[0]["timestamp"]) == 14
        assert results[2]["status"] == "failed" and results[2]["reason"] == "http_4xx"

        record = client.get("/v1/records", params={"url": urls[0]}).json()
        assert record["title"] == seed["title"]
        assert record["version"] == 1
        assert record["capture_ids"] == [captures[0]["id"]]
        assert len(record["pages"]) == 3
        assert seed["body_paragraphs_page3"][-1] in record["body"]

        # The raw responses are in the S3 bucket, byte for byte inside their WARC records.
        endpoint = production_env["ARCHIVIST_S3_ENDPOINT"].split("://", 1)[1]
        s3 = Minio(endpoint, secure=False)
        keys = [o.object_name for o in s3.list_objects(production_env["ARCHIVIST_S3_BUCKET"], recursive=True)]
        assert len(keys) == 3 and all(k.startswith("snapshots/") and k.endswith(".warc.gz") for k in keys)
        snapshot = results[0]["snapshots"][0]
        response = s3.get_object(production_env["ARCHIVIST_S3_BUCKET"], snapshot["storage_key"])
        try:
            stored = read_response(io.BytesIO(response.read(decode_content=False)))
        finally:
            response.close()
        served = seed_site.routes[snapshot["url"].removeprefix(seed_site.base_url)].body
        assert stored.body == served

        # Unknown capture ids are a clear 404.
        missing = client.get("/v1/captures/nope")
        assert missing.status_code == 404 and missing.json()["error"] == "not_found"
