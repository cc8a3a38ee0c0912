"""Dashboards and alerts read only metrics that something exports.

Exported: the ``archivist_*`` metrics of :mod:`archivist.observability.metrics`, the queue
gauges of the API's collector, the ``dramatiq_*`` metrics of Dramatiq's Prometheus middleware
(created here the way a worker process creates them), and Prometheus's own ``up``.
"""

from __future__ import annotations

import re

import pytest
from dramatiq.middleware.prometheus import Prometheus
from prometheus_client.metrics import MetricWrapperBase

from archivist.observability import metrics
from archivist_workers.exporter import QueueCollector
from tests.support.prometheus import INFRA
from tests.support.promql import alert_expressions, dashboard_queries, metric_names

_SAMPLE_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "gauge": ("",),
}


def sample_names(families) -> set[str]:
    return {family.name + suffix for family in families for suffix in _SAMPLE_SUFFIXES[family.type]}


@pytest.fixture
def exported(monkeypatch: pytest.MonkeyPatch, tmp_path) -> set[str]:
    archivist = [obj for obj in vars(metrics).values() if isinstance(obj, MetricWrapperBase)]
    names = sample_names(family for metric in archivist for family in metric.describe())
    names |= sample_names(QueueCollector(client=None, queues=()).describe())
    # The middleware points prometheus_client at its directory in os.environ: undone afterwards.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.setenv("prometheus_multiproc_dir", str(tmp_path))
    middleware = Prometheus()
    middleware.after_process_boot(broker=None)
    dramatiq = [value for value in vars(middleware).values() if isinstance(value, MetricWrapperBase)]
    names |= sample_names(family for metric in dramatiq for family in metric.describe())
    return names | {"up"}


def test_the_parser_finds_metric_names_and_only_them() -> None:
    expr = (
        'sum by (queue) (archivist_queue_messages{queue="fetch"}) > 0 unless on (queue) '
        'label_replace(sum by (queue_name) (rate(dramatiq_messages_total[10m] offset 5m)) > 0, '
        '"queue", "$1", "queue_name", "(.*)") or absent(up{job="a"} == 1) and '
        "histogram_quantile(0.95, sum by (le) (rate(archivist_nope_seconds_bucket[$__rate_interval])))"
    )
    assert metric_names(expr) == {
        "archivist_queue_messages", "dramatiq_messages_total", "up", "archivist_nope_seconds_bucket",
    }


def test_every_export_list_is_complete(exported: set[str]) -> None:
    assert {"archivist_fetches_total", "archivist_capture_latency_seconds_bucket", "archivist_queue_dead_letters",
            "dramatiq_messages_total", "dramatiq_messages_inprogress"} <= exported


@pytest.mark.parametrize(("source", "queries"), [("dashboard", dashboard_queries()), ("alerts", alert_expressions())])
def test_dashboard_and_alerts_read_exported_metrics(source: str, queries: list[tuple[str, str]], exported) -> None:
    assert queries, f"no queries found in the {source}"
    unknown = {(title, name) for title, expr in queries for name in metric_names(expr) if name not in exported}
    assert not unknown, f"{source} refers to metrics nobody exports: {sorted(unknown)}"


def test_operations_guide_lists_every_archivist_metric(exported: set[str]) -> None:
    guide = (INFRA.parent / "docs" / "OPERATIONS.md").read_text()
    families = {re.sub(r"_(total|bucket|sum|count|created)$", "", name) for name in exported if name.startswith("archivist_")}
    missing = {name for name in families if not re.search(rf"`{name}(_total)?`", guide)}
    assert not missing, f"docs/OPERATIONS.md does not list {sorted(missing)}"
