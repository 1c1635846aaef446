"""Redis Cluster: the URL, the clients, hash tags, and errors that degrade like any Redis error.

``NETCACHE_REDIS_URL=redis+cluster://[[user]:password@]host:port[,host:port…]`` (``rediss+cluster://``
for TLS, with ``NETCACHE_REDIS_SSL_CERT_REQS`` / ``NETCACHE_REDIS_SSL_CA_CERTS`` as for ``rediss://``)
makes :func:`netcache.connections.make_redis` / ``make_async_redis`` build redis-py's ``RedisCluster``
(sync and asyncio). Every listed node is a startup node (one reachable node is enough); a cluster has
one database, so the path is empty or ``/0``.

Key layout (netcache.keys): every key one Lua script or one MULTI touches carries the same hash tag,
so it lives in one slot — ``{nc}`` (or ``{nc:<namespace>}``) for a cache namespace, the events
stream's own name (``{nc:events}``) for the publisher's de-duplication markers and the dispatcher's
coalescing windows, markers and refunds.

Errors: redis-py raises ``RedisClusterException`` (not a ``RedisError``) when no node can be reached
or a slot is not covered; the clients here re-raise it as :class:`ClusterUnavailable` (a
``redis.ConnectionError``: the cache degrades, the worker retries) or, for anything else (a request
whose keys span slots: a bug), as :class:`ClusterCommandError` (a ``RedisError``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

import redis
import redis.asyncio.cluster as aiocluster
import redis.cluster as cluster
from redis.crc import key_slot as _key_slot
from redis.exceptions import (
    AskError,
    ClusterError,
    RedisClusterException,
    SlotNotCoveredError,
    TryAgainError,
)

from netcache.errors import ConfigError

__all__ = ["CLUSTER_SCHEMES", "CLUSTER_TRANSIENT_ERRORS", "ClusterUnavailable", "ClusterCommandError",
           "is_cluster_url", "cluster_nodes", "make_cluster", "make_async_cluster", "is_cluster",
           "slot_tag", "tagged", "key_slot", "queue_script", "check_same_slot", "redact_cluster_url"]

#: URL schemes of a Redis Cluster (``rediss+cluster`` = TLS)
CLUSTER_SCHEMES = ("redis+cluster", "rediss+cluster")


class ClusterUnavailable(redis.ConnectionError):
    """The cluster (or the node serving a slot) cannot be reached: retried and degraded like an outage."""


class ClusterCommandError(redis.RedisError):
    """Any other ``RedisClusterException`` (e.g. keys of one request in different slots)."""


#: cluster replies that pass with time (failover, resharding, a node down): the worker retries them
CLUSTER_TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (ClusterUnavailable, ClusterError, TryAgainError,
                                                             AskError)


def is_cluster_url(url: str) -> bool:
    return url.split("://", 1)[0].lower() in CLUSTER_SCHEMES


def cluster_nodes(url: str) -> tuple[list[tuple[str, int]], str | None, str | None, bool]:
    """``(nodes, username, password, tls)`` of a cluster URL (ConfigError naming what is wrong)."""
    scheme, _, rest = url.partition("://")
    netloc, _, path = rest.partition("/")
    path = path.split("?", 1)[0]
    if path not in ("", "0"):
        raise ConfigError(f"a Redis Cluster has only database 0, not /{path}: drop the path of the cluster URL")
    username = password = None
    if "@" in netloc:
        auth, netloc = netloc.rsplit("@", 1)
        user, _, pw = auth.partition(":")
        username, password = (unquote(user) or None), (unquote(pw) or None)
    nodes = []
    for part in netloc.split(","):
        parsed = urlsplit(f"//{part.strip()}")
        try:
            port = parsed.port or 6379
        except ValueError as e:
            raise ConfigError(f"bad node {part!r} in the cluster URL: {e}") from e
        if not parsed.hostname:
            raise ConfigError(f"bad node {part!r} in the cluster URL: use host:port[,host:port…]")
        nodes.append((parsed.hostname, port))
    return nodes, username, password, scheme.lower() == "rediss+cluster"


def redact_cluster_url(url: str) -> str:
    """The cluster URL with ``***`` for its password (safe to log)."""
    scheme, _, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    if "@" not in netloc:
        return url
    auth, nodes = netloc.rsplit("@", 1)
    user = auth.partition(":")[0]
    return f"{scheme}://{user}:***@{nodes}{slash}{path}"


def _converted(e: RedisClusterException) -> redis.RedisError:
    if isinstance(e, SlotNotCoveredError) or "cannot be connected" in str(e) or "reachable" in str(e):
        return ClusterUnavailable(f"Redis Cluster unavailable: {e}")
    return ClusterCommandError(f"Redis Cluster: {e}")


def _client_kwargs(url: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    nodes, username, password, tls = cluster_nodes(url)
    out = dict(kwargs)
    if tls:
        out["ssl"] = True
    else:
        out.pop("ssl_cert_reqs", None)
        out.pop("ssl_ca_certs", None)
    if username:
        out["username"] = username
    if password:
        out["password"] = password
    out["_nodes"] = nodes
    return out


class _SyncPipeline(cluster.ClusterPipeline):
    """A cluster pipeline whose cluster errors are Redis errors (the class of what pipeline() made)."""

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().execute(*args, **kwargs)
        except RedisClusterException as e:
            raise _converted(e) from e


class NetcacheRedisCluster(cluster.RedisCluster):
    """``RedisCluster`` whose ``RedisClusterException`` is a ``RedisError`` (see the module docstring)."""

    def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().execute_command(*args, **kwargs)
        except RedisClusterException as e:
            raise _converted(e) from e

    def pipeline(self, transaction: Any = None, shard_hint: Any = None) -> Any:
        try:
            p = super().pipeline(transaction=transaction, shard_hint=shard_hint)
        except RedisClusterException as e:
            raise _converted(e) from e
        p.__class__ = _SyncPipeline
        return p


class _AsyncPipeline(aiocluster.ClusterPipeline):
    async def execute(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        try:
            return await super().execute(*args, **kwargs)
        except RedisClusterException as e:
            raise _converted(e) from e


class NetcacheAsyncRedisCluster(aiocluster.RedisCluster):
    """The same on ``redis.asyncio``."""

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().execute_command(*args, **kwargs)
        except RedisClusterException as e:
            raise _converted(e) from e

    async def initialize(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().initialize(*args, **kwargs)
        except RedisClusterException as e:
            raise _converted(e) from e

    def pipeline(self, transaction: Any = None, shard_hint: Any = None) -> Any:
        p = super().pipeline(transaction=transaction, shard_hint=shard_hint)
        p.__class__ = _AsyncPipeline
        return p


def make_cluster(url: str, **kwargs: Any) -> NetcacheRedisCluster:
    """A synchronous cluster client for a ``redis+cluster://`` URL (``kwargs``: connection options)."""
    opts = _client_kwargs(url, kwargs)
    nodes = [cluster.ClusterNode(h, p) for h, p in opts.pop("_nodes")]
    try:
        return NetcacheRedisCluster(startup_nodes=nodes, **opts)
    except RedisClusterException as e:
        raise _converted(e) from e


def make_async_cluster(url: str, **kwargs: Any) -> NetcacheAsyncRedisCluster:
    """An asyncio cluster client (it connects on first use)."""
    opts = _client_kwargs(url, kwargs)
    nodes = [aiocluster.ClusterNode(h, p) for h, p in opts.pop("_nodes")]
    return NetcacheAsyncRedisCluster(startup_nodes=nodes, **opts)


def is_cluster(client: Any) -> bool:
    """True for a cluster client (or one of its pipelines), sync or asyncio."""
    return isinstance(client, (cluster.RedisCluster, aiocluster.RedisCluster, cluster.ClusterPipeline,
                               aiocluster.ClusterPipeline))


def slot_tag(key: str) -> str:
    """What Redis hashes for ``key``: the text of its first non-empty ``{…}``, else the whole key."""
    start = key.find("{")
    if start >= 0:
        end = key.find("}", start + 1)
        if end > start + 1:
            return key[start + 1:end]
    return key


def tagged(key: str) -> str:
    """``{slot_tag(key)}``: a hash tag that puts another key in ``key``'s slot."""
    return "{" + slot_tag(key) + "}"


def key_slot(key: str | bytes) -> int:
    """The cluster slot of ``key`` (0…16383), as Redis computes it."""
    return int(_key_slot(key.encode() if isinstance(key, str) else key))


def check_same_slot(client: Any, *keys: str) -> None:
    """ConfigError when ``client`` is a cluster client and ``keys`` (used in one MULTI or script)
    are in different slots: name them with one hash tag (``nc:events`` and ``{nc:events}:dead``)."""
    if is_cluster(client) and len({key_slot(k) for k in keys}) > 1:
        raise ConfigError(f"on a Redis Cluster {', '.join(keys)} must be in one slot (one MULTI writes them): "
                          f"give them one hash tag, e.g. {keys[0]} and {tagged(keys[0])}:dead")


def queue_script(pipe: Any, script: Any, keys: list[Any], args: list[Any]) -> Any:
    """Queue a registered script on ``pipe``: EVALSHA on a standalone pipeline (redis-py loads it
    on NOSCRIPT), EVAL with the script's text on a cluster pipeline (redis-py refuses EVALSHA there,
    and a node may not know the script; Redis caches what EVAL compiled)."""
    if is_cluster(pipe):
        return pipe.execute_command("EVAL", script.script, len(keys), *keys, *args)
    return script(keys=keys, args=args, client=pipe)
