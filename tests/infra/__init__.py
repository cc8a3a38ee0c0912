"""Infrastructure as code: Prometheus, Grafana and compose files, checked with the real tools."""
