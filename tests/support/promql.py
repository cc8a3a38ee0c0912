"""The PromQL of the dashboard and the alerts, and the metric names an expression reads."""

from __future__ import annotations

import json
import re

import yaml

from tests.support.prometheus import INFRA

DASHBOARD = INFRA / "grafana" / "dashboards" / "archivist-overview.json"
ALERTS = INFRA / "prometheus" / "alerts.yml"

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_LABEL_MATCHERS = re.compile(r"\{[^}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_LABEL_LISTS = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w:.])([A-Za-z_:][\w:]*)(\s*\()?")
_KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan"}


def metric_names(expr: str) -> set[str]:
    """Metric names in ``expr``: identifiers that are not functions, keywords or label names."""
    text = _STRINGS.sub("", expr)
    text = _LABEL_MATCHERS.sub("", text)
    text = _RANGES.sub("", text)
    text = _LABEL_LISTS.sub("", text)
    return {
        name for name, call in _IDENTIFIER.findall(text) if not call and name.lower() not in _KEYWORDS
    }


def dashboard_queries() -> list[tuple[str, str]]:
    """``(panel title, expr)`` for every query of every panel."""
    board = json.loads(DASHBOARD.read_text())
    return [(panel["title"], query["expr"]) for panel in board["panels"] for query in panel.get("targets", [])]


def alert_expressions() -> list[tuple[str, str]]:
    """``(alert name, expr)`` for every alerting rule."""
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [(rule["alert"], rule["expr"]) for group in groups for rule in group["rules"] if "alert" in rule]
