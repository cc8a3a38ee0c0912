"""``docker-compose.yml`` and the ``Dockerfile``, checked for structure (no Docker engine here).

What ``docker compose config`` would not catch either: images pinned, health checks and start
order, the app's environment limited to real settings, no secret in the file, and the infra
files that Prometheus, Grafana and MinIO mount present and consistent with their configs.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from archivist.settings import Settings
from tests.support.prometheus import INFRA

REPO = INFRA.parent
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES: dict[str, dict] = COMPOSE["services"]
APP_SERVICES = ("migrate", "api", "worker", "scheduler")
ONE_SHOT = {name for name, service in SERVICES.items() if service.get("restart") == "no"}
LONG_RUNNING = sorted(set(SERVICES) - ONE_SHOT)


def bind_mounts(service: dict) -> dict[str, Path]:
    """Container path -> repository path, for the ``./...`` mounts."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("./"):
            mounts[target] = REPO / source
    return mounts


def test_the_whole_stack_is_declared() -> None:
    assert set(SERVICES) >= {"minio", "minio-init", "redis", "postgres", "api", "worker", "scheduler",
                             "prometheus", "grafana"}
    assert ONE_SHOT == {"minio-init", "migrate"}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_image_is_pinned(name: str) -> None:
    image = SERVICES[name]["image"]
    repository, _, tag = image.rpartition(":") if "@" not in image else (image, "", "digest")
    assert "/" not in tag and tag and tag != "latest", f"{name}: {image} is not pinned to a tag or digest"
    assert repository


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_long_running_services_have_health_checks_and_restart(name: str) -> None:
    service = SERVICES[name]
    assert service["healthcheck"]["test"], name
    assert service["restart"] in ("unless-stopped", "always", "on-failure"), name


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_start_order_waits_for_health_or_completion(name: str) -> None:
    for dependency, spec in SERVICES[name].get("depends_on", {}).items():
        assert dependency in SERVICES, f"{name} depends on unknown {dependency}"
        expected = "service_completed_successfully" if dependency in ONE_SHOT else "service_healthy"
        assert spec["condition"] == expected, f"{name} -> {dependency}"
    if name in APP_SERVICES and name != "migrate":
        assert SERVICES[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment_is_exactly_archivist_settings(name: str) -> None:
    service = SERVICES[name]
    settings = {f"ARCHIVIST_{field.upper()}" for field in Settings.model_fields}
    environment = set(service["environment"])
    assert environment <= settings, f"{name}: not settings: {environment - settings}"
    assert {"ARCHIVIST_REDIS_URL", "ARCHIVIST_DATABASE_URL", "ARCHIVIST_S3_ENDPOINT", "ARCHIVIST_S3_ACCESS_KEY",
            "ARCHIVIST_S3_SECRET_KEY", "ARCHIVIST_S3_BUCKET"} <= environment
    assert service["image"] == SERVICES["api"]["image"] and service["build"] == "."


def test_workers_scale() -> None:
    worker = SERVICES["worker"]
    assert "container_name" not in worker and "ports" not in worker
    port = worker["environment"]["ARCHIVIST_WORKER_METRICS_PORT"]
    assert str(Settings.model_fields["worker_metrics_port"].default) == port
    scrape = yaml.safe_load((INFRA / "prometheus" / "prometheus.yml").read_text())["scrape_configs"]
    jobs = {job["job_name"]: job for job in scrape}
    assert jobs["archivist-worker"]["dns_sd_configs"] == [
        {"names": ["worker"], "type": "A", "port": int(port), "refresh_interval": "15s"}
    ]
    assert jobs["archivist-api"]["static_configs"] == [{"targets": ["api:8000"]}]
    assert "--port" in SERVICES["api"]["command"] and "8000" in SERVICES["api"]["command"]


def test_no_secret_in_the_file_and_every_variable_in_env_example() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    for name, service in SERVICES.items():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|SECRET|ACCESS_KEY|DATABASE_URL", key):
                assert "${" in str(value), f"{name}: {key} is written in the file"
    example = {line.split("=", 1)[0] for line in (REPO / ".env.example").read_text().splitlines()
               if line and not line.startswith("#")}
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))
    assert used <= example, f"missing from .env.example: {used - example}"


def test_volumes_are_named_and_declared() -> None:
    declared = set(COMPOSE["volumes"])
    used = set()
    for service in SERVICES.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith("./"):
                assert source in declared, f"anonymous or undeclared volume {volume}"
                used.add(source)
    assert used == declared
    for name in ("minio", "redis", "postgres", "prometheus", "grafana"):
        assert any(not v.startswith("./") for v in SERVICES[name]["volumes"]), f"{name} keeps no data"


def test_mounted_infra_files_exist_and_match_their_configs() -> None:
    for name, service in SERVICES.items():
        for target, source in bind_mounts(service).items():
            assert source.exists(), f"{name} mounts missing {source} at {target}"
    prometheus = bind_mounts(SERVICES["prometheus"])
    config = yaml.safe_load(prometheus["/etc/prometheus/prometheus.yml"].read_text())
    for rule_file in config["rule_files"]:
        assert f"/etc/prometheus/{rule_file}" in prometheus, f"rule file {rule_file} is not mounted"

    grafana = bind_mounts(SERVICES["grafana"])
    assert grafana["/etc/grafana/provisioning"] == INFRA / "grafana" / "provisioning"
    provider = yaml.safe_load((INFRA / "grafana" / "provisioning" / "dashboards" / "archivist.yml").read_text())
    for path in [p["options"]["path"] for p in provider["providers"]]:
        assert path in grafana, f"the dashboards provider reads {path}, which is not mounted"
    home = Path(SERVICES["grafana"]["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"])
    assert (grafana[str(home.parent)] / home.name).is_file()

    init = SERVICES["minio-init"]
    assert init["entrypoint"][-1] in bind_mounts(init)
    subprocess.run(["sh", "-n", str(INFRA / "minio" / "init.sh")], check=True)


def test_dockerfile_is_multi_stage_pinned_and_unprivileged() -> None:
    lines = [line.split() for line in (REPO / "Dockerfile").read_text().splitlines() if line and line[0] != "#"]
    bases = [words[1] for words in lines if words[0] == "FROM"]
    assert len(bases) >= 2
    assert all(re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?", base) for base in bases), bases
    users = [words[1] for words in lines if words[0] == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert any(words[:2] == ["COPY", "--from=build"] for words in lines)
    assert any("pip" in " ".join(words) and "install" in words for words in lines)
