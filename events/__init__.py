"""netcache events: models, the stream format and the publisher (plus syslog in, operator CLI).

Imports nothing of netcache but ``netcache.settings``, ``netcache.errors``,
``netcache.connections`` and ``netcache.devtools.local_redis``.
"""

from netcache.events.models import (
    EVENT_TYPES,
    SCHEMA_VERSION,
    BfdSession,
    BgpDown,
    BgpStateChange,
    BgpUp,
    ConfigChange,
    DeviceReboot,
    Event,
    EventBase,
    InterfaceChange,
    InterfaceFlap,
    IsisAdjacency,
    LagMember,
    Maintenance,
    OspfAdjacency,
    ProcessRestart,
    TopologyChange,
    event_json_schema,
    normalize_interface,
    parse_event,
)
from netcache.events.publisher import AsyncEventPublisher, EventPublisher
from netcache.events.stream import decode_entry, encode_entry

__all__ = [
    "EVENT_TYPES", "SCHEMA_VERSION", "Event", "EventBase", "ConfigChange", "DeviceReboot",
    "InterfaceFlap", "BgpDown", "BgpUp", "TopologyChange", "OspfAdjacency", "IsisAdjacency",
    "BgpStateChange", "InterfaceChange", "LagMember", "BfdSession", "Maintenance", "ProcessRestart",
    "parse_event", "event_json_schema", "normalize_interface", "encode_entry", "decode_entry",
    "EventPublisher", "AsyncEventPublisher",
]
