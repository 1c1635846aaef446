"""A FastAPI chatbot endpoint behind netcache: exact and semantic hits, metrics on.

Run it against the local Messages API server (no key, placeholder answers)::

    netcache llm-server --port 8099 --latency-s 1 &
    NETCACHE_REDIS_URL=redis://127.0.0.1:6379/0 NETCACHE_LLM__BASE_URL=http://127.0.0.1:8099 \\
        uvicorn examples.fastapi_bot:app --port 8000
    curl -s localhost:8000/ask -H 'content-type: application/json' \\
        -d '{"question": "Show BGP neighbors on rtr-001"}'

or against Claude: set NETCACHE_LLM__API_KEY and leave NETCACHE_LLM__BASE_URL unset.
Every request is counted (``netcache report`` reads the same numbers); ``GET /stats``
shows them. The generator is the one ``NETCACHE_LLM__GENERATOR`` names (Anthropic by
default), so the workers' warm-ups and refreshes use the same model and prompt.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

import redis
from fastapi import FastAPI, Request
from pydantic import BaseModel, Field

from netcache.engine.aio import AsyncAnswerCache
from netcache.llm.loading import load_generator
from netcache.metrics.recorder import Metrics
from netcache.settings import Settings


class Question(BaseModel):
    question: str = Field(min_length=1, max_length=4_000)
    #: device output or logs the bot already has (part of the cache key)
    context: str | None = None


class Reply(BaseModel):
    answer: str
    source: str  #: exact | semantic | stale | generated | waited
    latency_ms: float
    cost_usd: float
    saved_usd: float


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; ``settings`` default to the NETCACHE_* environment."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        s = settings or Settings()
        metrics_redis = redis.Redis.from_url(s.redis_url)
        app.state.metrics = Metrics(metrics_redis, s)  # the bot's own traffic shows in `netcache report`
        app.state.generator = load_generator(s)
        app.state.cache = AsyncAnswerCache(s, metrics=app.state.metrics)
        try:
            yield
        finally:
            await app.state.cache.aclose()
            await app.state.cache.redis.aclose()
            await app.state.generator.aclose()
            app.state.metrics.close()
            metrics_redis.close()

    app = FastAPI(title="netcache chatbot example", lifespan=lifespan)

    @app.post("/ask", response_model=Reply)
    async def ask(q: Question, request: Request) -> Reply:
        state = request.app.state

        async def generate(prompt: str) -> Any:
            return await state.generator.agenerate(prompt, q.context)

        answer = await state.cache.get_or_generate(q.question, context=q.context, generate=generate)
        return Reply(answer=answer.text, source=answer.source, latency_ms=round(answer.latency_s * 1000, 1),
                     cost_usd=answer.cost_usd, saved_usd=answer.saved_usd)

    @app.get("/stats")
    async def stats(request: Request) -> dict:
        snap = request.app.state.metrics.snapshot()
        return {k: snap[k] for k in ("requests", "hits", "misses", "hit_rate", "by_outcome", "saved_usd")}

    return app


app = create_app()
