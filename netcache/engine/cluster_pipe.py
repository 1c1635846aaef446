"""How the drivers run a :class:`~netcache.engine.steps.Pipe` on a Redis Cluster client.

A cluster pipeline (redis-py ``ClusterPipeline``) sends each node its part of the pipe in one
round trip, but refuses EVALSHA and SCAN. So, on a cluster:

* a lone script runs as EVALSHA on the client (redis-py routes it by its keys and loads the
  script on NOSCRIPT), as on a standalone Redis;
* scripts among other calls are queued as EVAL with the script's text
  (:func:`netcache.cluster.queue_script`);
* a lone SCAN (``drop_namespace``) runs on the node that holds the namespace's slot (the
  match pattern carries the namespace's hash tag);
* ``RedisClusterException`` arrives as a ``RedisError`` (netcache.cluster's clients), so the
  plans degrade on it as on any Redis error.
"""

from __future__ import annotations

from typing import Any

from redis.exceptions import ResponseError

from netcache.cluster import queue_script
from netcache.engine.steps import Command, Pipe, Script, Scripts

__all__ = ["run_cluster_pipe", "arun_cluster_pipe"]


def _scan_kwargs(client: Any, op: Command) -> dict[str, Any]:
    match = op.kwargs.get("match")
    if not match:
        raise TypeError("SCAN on a Redis Cluster needs match= with the namespace's hash tag")
    return {**op.kwargs, "target_nodes": client.get_node_from_key(match)}


def _scan_reply(reply: Any) -> Any:
    cursor, keys = reply
    if isinstance(cursor, dict):  # one node: {node name: cursor}
        (cursor,) = cursor.values()
    return cursor, keys


def _queue(p: Any, scripts: Scripts, step: Pipe) -> None:
    for op in step.ops:
        if isinstance(op, Script):
            queue_script(p, scripts[op.name], op.keys, op.args)
        else:
            getattr(p, op.name)(*op.args, **op.kwargs)


def run_cluster_pipe(client: Any, scripts: Scripts, step: Pipe) -> list[Any]:
    """The replies of ``step`` (the sync driver, netcache.engine.sync)."""
    if len(step.ops) == 1:
        op = step.ops[0]
        if isinstance(op, Script):
            return [scripts[op.name](keys=op.keys, args=op.args)]
        try:
            if op.name == "scan":
                reply = _scan_reply(client.scan(*op.args, **_scan_kwargs(client, op)))
            else:
                reply = getattr(client, op.name)(*op.args, **op.kwargs)
        except ResponseError as e:  # as a pipeline would leave it in the replies
            reply = e
        return step.checked([reply])
    p = client.pipeline(transaction=False)
    _queue(p, scripts, step)
    return step.checked(p.execute(raise_on_error=False))


async def arun_cluster_pipe(client: Any, scripts: Scripts, step: Pipe) -> list[Any]:
    """The same for the asyncio driver (netcache.engine.aio)."""
    if len(step.ops) == 1:
        op = step.ops[0]
        if isinstance(op, Script):
            return [await scripts[op.name](keys=op.keys, args=op.args)]
        try:
            if op.name == "scan":
                await client.initialize()
                reply = _scan_reply(await client.scan(*op.args, **_scan_kwargs(client, op)))
            else:
                reply = await getattr(client, op.name)(*op.args, **op.kwargs)
        except ResponseError as e:
            reply = e
        return step.checked([reply])
    p = client.pipeline(transaction=False)
    _queue(p, scripts, step)
    return step.checked(await p.execute(raise_on_error=False))
