# The Archivist application image: API, workers, scheduler and CLI (`archivist ...`).
# Build: docker build -t archivist:0.1.0 .   (docker-compose.yml does it for you)

# --- build: install the package and its dependencies into a virtual environment ---
FROM python:3.11.9-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/archivist
WORKDIR /src
COPY pyproject.toml README.md ./
COPY services ./services
COPY workers ./workers
RUN /opt/archivist/bin/pip install .

# --- runtime: the environment only, run as an unprivileged user ---
FROM python:3.11.9-slim-bookworm
ENV PATH=/opt/archivist/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ARCHIVIST_HOME=/var/lib/archivist
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/archivist --create-home archivist
COPY --from=build /opt/archivist /opt/archivist
USER archivist
WORKDIR /var/lib/archivist
# 8000: the API (and its /metrics); 9191: a worker's /metrics (ARCHIVIST_WORKER_METRICS_PORT).
EXPOSE 8000 9191
ENTRYPOINT ["archivist"]
CMD ["serve", "--host", "0.0.0.0"]
