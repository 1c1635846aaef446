"""kombu's Redis transport, with a full or read-only broker treated as an outage, not a crash.

Stock kombu classes Redis ``OutOfMemoryError`` (a full ``noeviction`` broker) and ``ReadOnlyError``
(a failed-over replica) as channel errors: Celery's consumer then stops with "Unrecoverable error"
and the worker wedged with no pool children while health said fine (issue 12). Here they are
connection errors: the consumer logs "Connection to broker lost", waits and reconnects, the way it
rides out a broker restart, and goes on by itself once the broker has room again.

One more case: a task popped from its queue (``BRPOP`` frees memory and is allowed on a full Redis)
whose unacked record (``ZADD`` + ``HSET``) the full broker refuses. Stock kombu raises there, after
the pop, and the task is gone. Here it runs anyway, without the record, and is counted and logged:
running tasks is what empties a full broker. It is lost only if this worker also dies before the
task ends (nothing could redeliver it), which the dispatcher's high-water mark
(``worker.broker_high_water``) keeps rare: it stops enqueueing before the broker is full.

``make_app`` selects it with ``broker_transport = "netcache.tasks.transport:Transport"``.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from kombu.transport import redis as kombu_redis
from kombu.transport import virtual

__all__ = ["Transport", "Channel", "QoS", "BROKER_FULL_ERRORS", "unrecorded_deliveries"]

log = logging.getLogger(__name__)

#: Broker errors that mean "no room / not writable right now".
BROKER_FULL_ERRORS: tuple[type[BaseException], ...] = (redis.exceptions.OutOfMemoryError,
                                                        redis.exceptions.ReadOnlyError)
_unrecorded = [0]


def unrecorded_deliveries() -> int:
    """Tasks this process ran without an unacked record because the broker was full."""
    return _unrecorded[0]


class QoS(kombu_redis.QoS):
    """Ack emulation that runs a popped task even when the full broker refuses its unacked record."""

    def append(self, message: Any, delivery_tag: Any) -> None:
        try:
            super().append(message, delivery_tag)
        except BROKER_FULL_ERRORS as e:
            _unrecorded[0] += 1
            log.warning("broker full (%s): task %s runs without its unacked record (it is not redelivered "
                        "if this worker dies before it ends); %d so far", e,
                        message.headers.get("id", "?") if message.headers else "?", _unrecorded[0])
            virtual.QoS.append(self, message, delivery_tag)


class Channel(kombu_redis.Channel):
    QoS = QoS


class Transport(kombu_redis.Transport):
    """The Redis transport with ``BROKER_FULL_ERRORS`` among the connection errors."""

    Channel = Channel
    connection_errors = kombu_redis.Transport.connection_errors + BROKER_FULL_ERRORS
