"""Reading what the dispatcher enqueued, straight from the Celery queues on the Redis broker.

Messages enqueued by ``send_task`` are JSON in the list named after the queue (kombu LPUSHes,
workers BRPOP); the body is base64 JSON ``[args, kwargs, embed]``. The dispatcher's batch path
(``WorkerSettings.dispatch_mode = "batch"``, the default) sends ``netcache.invalidate_batch``
messages whose ``actions`` are ``netcache.invalidate`` keyword arguments; ``broker_tasks``
unpacks them, so a test sees the same actions whichever path sent them.
"""

from __future__ import annotations

import base64
import json
from typing import Any

BATCH_TASK = "netcache.invalidate_batch"


def broker_messages(r: Any, queue: str) -> list[tuple[str, dict]]:
    """(task name, kwargs) of every message waiting in a Celery queue, oldest first."""
    out = []
    for raw in reversed(r.lrange(queue, 0, -1)):
        msg = json.loads(raw)
        _args, kwargs, _embed = json.loads(base64.b64decode(msg["body"]))
        out.append((msg["headers"]["task"], kwargs))
    return out


def broker_tasks(r: Any, queue: str) -> list[tuple[str, dict]]:
    """(task name, kwargs) of every action waiting in a Celery queue, oldest first (batches unpacked)."""
    out = []
    for name, kwargs in broker_messages(r, queue):
        if name == BATCH_TASK:
            out.extend(("netcache.invalidate", action) for action in kwargs["actions"])
        else:
            out.append((name, kwargs))
    return out
