"""The queue gauges, read from the keys a real Redis broker writes."""

from __future__ import annotations

import time

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from archivist.api import create_app
from archivist.settings import get_settings
from archivist_workers.exporter import QueueCollector
from archivist_workers.queue import EXTRACT_QUEUE, FETCH_QUEUE, DramatiqTaskQueue
from tests.support.seaweed import free_port

QUEUES = (FETCH_QUEUE, EXTRACT_QUEUE)


def read(registry: CollectorRegistry, name: str, queue: str) -> float | None:
    return registry.get_sample_value(name, {"queue": queue})


def test_waiting_delayed_and_dead_letters_per_queue(redis_url: str, redis_namespace: str) -> None:
    broker = RedisBroker(url=redis_url, namespace=redis_namespace)
    tasks = DramatiqTaskQueue(broker)
    tasks.enqueue_fetch(["a", "b", "c"])
    tasks.enqueue_extract("d")
    tasks.enqueue_extract("e")
    retry = dramatiq.Message(queue_name=FETCH_QUEUE, actor_name="fetch_capture", args=("f",), kwargs={}, options={})
    broker.enqueue(retry, delay=60_000)

    consumer = broker.consume(EXTRACT_QUEUE, prefetch=1, timeout=100)
    held = next(message for message in (next(consumer) for _ in range(50)) if message is not None)
    consumer.nack(held)
    consumer.close()

    registry = CollectorRegistry()
    registry.register(QueueCollector(broker.client, QUEUES, namespace=redis_namespace))
    assert registry.get_sample_value("archivist_redis_up") == 1
    assert read(registry, "archivist_queue_messages", FETCH_QUEUE) == 3
    assert read(registry, "archivist_queue_delayed_messages", FETCH_QUEUE) == 1
    assert read(registry, "archivist_queue_dead_letters", FETCH_QUEUE) == 0
    assert read(registry, "archivist_queue_messages", EXTRACT_QUEUE) == 1
    assert read(registry, "archivist_queue_delayed_messages", EXTRACT_QUEUE) == 0
    assert read(registry, "archivist_queue_dead_letters", EXTRACT_QUEUE) == 1
    broker.close()


def test_redis_down_is_reported_not_zero_and_quickly() -> None:
    registry = CollectorRegistry()
    registry.register(QueueCollector.from_url(f"redis://127.0.0.1:{free_port()}/0", QUEUES))
    started = time.monotonic()
    assert registry.get_sample_value("archivist_redis_up") == 0
    assert time.monotonic() - started < 2, "the scrape waited on retries"
    assert read(registry, "archivist_queue_messages", FETCH_QUEUE) is None


def test_api_metrics_serve_the_queues_and_the_process_metrics(redis_url: str, redis_namespace: str, monkeypatch) -> None:
    monkeypatch.setenv("ARCHIVIST_REDIS_URL", redis_url)
    monkeypatch.setenv("ARCHIVIST_REDIS_NAMESPACE", redis_namespace)
    get_settings.cache_clear()
    DramatiqTaskQueue(RedisBroker(url=redis_url, namespace=redis_namespace)).enqueue_fetch(["x", "y"])
    with TestClient(create_app()) as client:
        client.post("/v1/captures", json={"urls": ["gopher://example.org/"]})
        answer = client.get("/metrics")
    assert answer.status_code == 200
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }
    assert samples[("archivist_queue_messages", (("queue", "fetch"),))] == 2
    assert samples[("archivist_redis_up", ())] == 1
    assert samples[("archivist_submissions_total", (("outcome", "rejected"), ("reason", "invalid_url")))] >= 1
