"""examples/fastapi_bot.py runs: a private Redis, the local Messages API server, FastAPI's TestClient."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from netcache.devtools.messages_server import PLACEHOLDER_PREFIX, MessagesAPIServer
from netcache.metrics.export import read_snapshot

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "fastapi_bot.py"


def load_example():
    spec = importlib.util.spec_from_file_location("fastapi_bot_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def server():
    with MessagesAPIServer() as srv:
        yield srv


def test_the_fastapi_bot_generates_once_then_serves_exact_and_semantic_hits_with_metrics(
        settings, server, redis_client, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    settings.llm.base_url = server.url  # the Anthropic generator at a configurable base URL
    app = load_example().create_app(settings)

    with TestClient(app) as client:
        first = client.post("/ask", json={"question": "Show BGP neighbors on rtr-001"})
        again = client.post("/ask", json={"question": "Show BGP neighbors on rtr-001"})
        para = client.post("/ask", json={"question": "List the BGP neighbors of rtr-001"})
        other = client.post("/ask", json={"question": "Show BGP neighbors on rtr-002"})
        bad = client.post("/ask", json={"question": ""})
        stats = client.get("/stats").json()

    assert [r.status_code for r in (first, again, para, other)] == [200] * 4 and bad.status_code == 422
    assert first.json()["source"] == "generated" and first.json()["answer"].startswith(PLACEHOLDER_PREFIX)
    assert first.json()["cost_usd"] > 0
    assert again.json()["source"] == "exact" and again.json()["answer"] == first.json()["answer"]
    assert para.json()["source"] == "semantic" and para.json()["answer"] == first.json()["answer"]
    assert para.json()["saved_usd"] > 0
    assert other.json()["source"] == "generated"  # another device is another answer
    assert server.answered == 2
    assert stats["requests"] == 4 and stats["hits"] == 2 and stats["misses"] == 2
    assert read_snapshot(redis_client, settings)["requests"] == 4  # what `netcache report` reads


def test_the_example_app_builds_nothing_at_import():
    module = load_example()
    assert not hasattr(module.app.state, "cache")  # the cache, Redis and generator come with the lifespan
