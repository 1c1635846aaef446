"""The opt-in verifier: soft guard rejections put to a small model over the real Anthropic SDK and a local
Messages-API server; hard ones never; verdicts cached per pair in Redis; cost recorded; off by default."""

from __future__ import annotations

from pydantic import SecretStr

from netcache.devtools.messages_server import MessagesAPIServer
from netcache.keys import Keys
from netcache.matching.guard import guard
from netcache.matching.verifier import Verifier, make_verifier, pair_id, verify_candidate
from netcache.metrics.recorder import Metrics

SAME = ("show the dhcp bindings on dist-sw-04", "list the DHCP snooping bindings on dist-sw-04")


class YesNoServer(MessagesAPIServer):
    """Answers "yes" when both questions of the verifier's prompt mention ``word``, else "no"."""

    def __init__(self, word: str, reply_yes: str = "Yes.", **kw) -> None:
        super().__init__(**kw)
        self.word = word
        self.reply_yes = reply_yes

    def answer_for(self, question: str) -> str:  # type: ignore[override]
        q1 = question.split("Question 1:", 1)[-1].split("Question 2:")[0]
        q2 = question.split("Question 2:", 1)[-1]
        return self.reply_yes if self.word in q1.lower() and self.word in q2.lower() else "No"


def _verifier_settings(settings, url):
    return settings.model_copy(update={
        "cache": settings.cache.model_copy(update={"verifier_enabled": True}),
        "llm": settings.llm.model_copy(update={"base_url": url, "api_key": SecretStr("test-key")}),
    })


def test_the_verifier_is_off_by_default(settings):
    assert settings.cache.verifier_enabled is False
    assert make_verifier(settings) is None


def test_a_soft_rejection_is_overruled_only_by_a_yes_and_the_verdict_is_cached(settings, redis_client):
    verdict = guard(SAME[1], SAME[0])
    assert not verdict.ok and not verdict.hard and verdict.rule == "qualifier"
    with YesNoServer("dhcp").start() as server:
        cfg = _verifier_settings(settings, server.url)
        metrics = Metrics(redis_client, cfg)
        verifier = make_verifier(cfg, redis_client, metrics=metrics)
        final = verify_candidate(verdict, SAME[1], SAME[0], verifier, query_type="device_status")
        assert final.ok and final.rule == "verifier"
        assert server.calls == 1 and "Question 1:" in str(server.last_request)
        assert server.last_request["model"] == cfg.cache.verifier_model
        # cached per pair (either order): no second call
        assert verify_candidate(verdict, SAME[0], SAME[1], verifier).ok
        assert server.calls == 1
        assert redis_client.get(Keys(cfg.key_prefix).verdict(pair_id(*SAME))) == b"1"
        metrics.flush()
        llm = redis_client.hgetall(f"{cfg.key_prefix}:m:llm")
        assert int(llm[b"calls|verify"]) == 1 and float(llm[b"cost_usd|verify"]) > 0
        metrics.close()
        verifier.close()


def test_a_no_an_unclear_reply_or_a_dead_model_keeps_the_rejection(settings, redis_client):
    a, b = "show the ntp status on R1", "show the ntp peers status on R1"
    verdict = guard(a, b)
    assert not verdict.ok and not verdict.hard
    with YesNoServer("bgp").start() as server:  # says no
        v = make_verifier(_verifier_settings(settings, server.url), redis_client)
        assert not verify_candidate(verdict, a, b, v).ok
        assert redis_client.get(Keys("nc").verdict(pair_id(a, b))) == b"0"
        v.close()
    with YesNoServer("ntp", reply_yes="Maybe, it depends").start() as server:
        v = make_verifier(_verifier_settings(settings, server.url), redis_client)
        v.keys = Keys("nc", "other")  # a fresh verdict cache
        assert not verify_candidate(verdict, a, b, v).ok
        assert redis_client.get(Keys("nc", "other").verdict(pair_id(a, b))) is None  # unclear: not kept
        v.close()

    def broken(prompt, context=None, params=None):
        raise ConnectionError("model endpoint down")

    v = Verifier(broken, redis_client, Keys("nc", "third"))
    assert not verify_candidate(verdict, a, b, v).ok and v.errors == 1


def test_a_hard_rejection_is_never_put_to_the_model(settings, redis_client):
    with YesNoServer("r").start() as server:  # would say yes to anything with an "r"
        v = make_verifier(_verifier_settings(settings, server.url), redis_client)
        for a, b in [("show route-map EDGE-1-OUT on R1", "show route-map EDGE-1-IN on R1"),
                     ("traceroute from R1 to R2", "traceroute from R2 to R1"),
                     ("show interface status on R1", "show interface errors on R1"),
                     ("how do I enable OSPF on R1", "how do I disable OSPF on R1")]:
            verdict = guard(a, b)
            assert not verdict.ok and verdict.hard, (a, b, verdict)
            assert verify_candidate(verdict, a, b, v) is verdict
        assert server.calls == 0
        v.close()


def test_both_caches_put_a_softly_rejected_candidate_to_the_verifier_and_serve_only_on_yes(settings):
    """The wiring: AnswerCache and AsyncAnswerCache (the latter runs the model call in a worker thread)."""
    import asyncio

    from netcache.engine.aio import AsyncAnswerCache
    from netcache.engine.sync import AnswerCache

    other = ("show the ntp status on R1", "show the ntp peers status on R1")  # soft rejection, the model says no
    assert not guard(other[1], other[0]).ok and not guard(other[1], other[0]).hard
    with YesNoServer("dhcp").start() as server:
        cfg = _verifier_settings(settings, server.url)
        cache = AnswerCache(cfg, namespace="vsync")
        try:
            for a, _b in (SAME, other):
                cache.put(a, f"answer to {a}")
            hit = cache.get(SAME[1])
            assert hit is not None and hit.kind == "semantic" and hit.answer == f"answer to {SAME[0]}"
            assert cache.get(other[1]) is None
            assert server.calls == 2
        finally:
            cache.close()

        async def run() -> tuple:
            acache = AsyncAnswerCache(cfg, namespace="vasync")
            try:
                for a, _b in (SAME, other):
                    await acache.put(a, f"answer to {a}")
                return await acache.get(SAME[1]), await acache.get(other[1]), await acache.get(SAME[1])
            finally:
                await acache.aclose()
                await acache.redis.aclose()

        served, refused, again = asyncio.run(run())
        assert served is not None and served.kind == "semantic" and served.answer == f"answer to {SAME[0]}"
        assert refused is None and again is not None
        assert server.calls == 4  # the third lookup read the cached verdict
