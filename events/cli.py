"""``netcache events ...``: parse syslog offline, publish an event by hand, watch the stream, print the schema."""

from __future__ import annotations

import json
import sys
from datetime import UTC
from typing import Any, BinaryIO, TextIO

import click

from netcache.connections import make_redis, redact_url
from netcache.errors import EventError, NetcacheError
from netcache.events.counters import PARSE_COUNTERS, IngestCounters
from netcache.events.models import EVENT_TYPES, EventBase, event_json_schema, parse_event
from netcache.events.publisher import EventPublisher
from netcache.events.stream import decode_entry
from netcache.settings import Settings
from netcache.text import to_text

__all__ = ["events_group", "format_event_line"]


def _settings() -> Settings:
    return Settings()


@click.group("events", context_settings={"help_option_names": ["-h", "--help"]})
def events_group() -> None:
    """Network events: parse syslog, publish events by hand, tail the stream, export the schema.

    Events live on the Redis stream NETCACHE_EVENTS__STREAM (default nc:events);
    the dispatcher turns them into cache invalidation and warming.
    """


# --- parse -----------------------------------------------------------------------------


@events_group.command("parse")
@click.option("--vendor", default="auto", show_default=True,
              help="Vendor rules: auto (guess from each message) or cisco_ios, cisco_nxos, cisco_iosxr, "
                   "junos, arista_eos, sonic, frr, huawei_vrp, brocade, nokia_sros, fortios, panos.")
@click.option("--source", "source_address", default=None,
              help="Sender address to assume (used as the device when a message has no host).")
@click.option("--rules", "rules_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help='Extra rules, JSON {"vendor": [{"key", "type", "pattern", "const"}, ...]}, tried first.')
@click.option("--explain", "explain_line", metavar="LINE", default=None,
              help="Explain one LINE instead: the header format found, the message id and vendor, every rule "
                   "tried and why it did not match (or which matched, with its fields).")
@click.option("--json", "as_json", is_flag=True, help="--explain: print the explanation as JSON.")
@click.argument("infile", type=click.File("rb"), default="-")
def parse_command(vendor: str, source_address: str | None, rules_file: str | None, explain_line: str | None,
                  as_json: bool, infile: BinaryIO) -> None:
    """Parse raw syslog lines from INFILE (default stdin), one per line, into events (nothing is published).

    Prints one JSON object per line: the event; {"unrecognized": true, "raw": ...}
    for a message no rule knows; or {"error": reason, "raw": ...} for a malformed one.
    Counts go to stderr at the end. With --explain LINE, says why that line did or did not
    become an event.
    """
    from netcache.events.syslog.parser import SyslogParser
    from netcache.events.syslog.vendor_rules import load_rules, load_rules_file

    try:
        extra = load_rules_file(rules_file) if rules_file else []
        parser = SyslogParser(load_rules(extra=extra), vendor=vendor)
    except NetcacheError as e:
        raise click.ClickException(str(e)) from e
    if explain_line is not None:
        from netcache.events.syslog.explain import explain_line as explain

        explanation = explain(parser, explain_line, source_address)
        click.echo(json.dumps(explanation.to_dict(), default=str, indent=2) if as_json else explanation.to_text())
        return
    counts = IngestCounters("parse", PARSE_COUNTERS)
    out = sys.stdout
    for line in infile:
        line = line.rstrip(b"\r\n")
        if not line.strip():
            continue
        counts.inc("lines")
        result = parser.parse(line, source_address)
        counts.inc({"event": "events", "unrecognized": "unrecognized", "error": "errors"}[result.status])
        out.write(json.dumps(result.to_dict(), default=str) + "\n")
    out.flush()
    click.echo(" ".join(f"{k}={v}" for k, v in counts.values.items()), err=True)


# --- publish ---------------------------------------------------------------------------


def _event_from_options(kind: str, opts: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"type": kind, "source": "operator"}
    state = opts.pop("state", None)
    for key, value in opts.items():
        if value not in (None, (), []):
            data[key] = list(value) if isinstance(value, tuple) else value
    if state is not None:
        if kind in ("interface_flap", "lag_member", "bfd_session", "maintenance"):
            data["state"] = state
        elif kind in ("bgp_down", "bgp_up", "bgp_state_change", "ospf_adjacency", "isis_adjacency"):
            data["new_state"] = state
        else:
            raise click.UsageError(f"--state does not apply to {kind}")
    return data


def _read_json(source: TextIO) -> list[dict[str, Any]]:
    text = source.read()
    try:
        value = json.loads(text)
        items = value if isinstance(value, list) else [value]
    except ValueError:
        try:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError as e:
            raise click.UsageError(f"--json: not JSON or JSON lines: {e}") from e
    for item in items:
        if isinstance(item, dict):
            item.setdefault("source", "operator")
    return items


@events_group.command("publish")
@click.option("--type", "kind", type=click.Choice(EVENT_TYPES), help="Event type.")
@click.option("--device", help="Device the event is about, e.g. rtr-001.")
@click.option("--interface", help="Interface (interface_flap, ospf/isis); Gi0/1 is stored as GigabitEthernet0/1.")
@click.option("--neighbor", help="Neighbor address or name (bgp_down, bgp_up, ospf/isis_adjacency).")
@click.option("--state", help="New state: up/down for interface_flap, the new session/adjacency state otherwise.")
@click.option("--layer", type=click.Choice(["link", "lineproto", "admin"]), help="interface_flap: which state changed.")
@click.option("--vrf", help="VRF of a BGP session.")
@click.option("--remote-as", type=int, help="Remote AS of a BGP session.")
@click.option("--site", help="Site (topology_change).")
@click.option("--devices", multiple=True, help="Devices involved (topology_change; repeatable).")
@click.option("--change", help="What changed (topology_change), e.g. 'device added'.")
@click.option("--user", help="Who changed the configuration (config_change).")
@click.option("--reason", help="Why (reboot, BGP down, ...).")
@click.option("--json", "json_file", type=click.File("r"), default=None,
              help="Read event(s) from a JSON file instead ('-' = stdin): an object, a list, or JSON lines.")
def publish_command(kind: str | None, json_file: TextIO | None, **opts: Any) -> None:
    """Publish an event to the stream by hand (or from JSON).

    Example:

        netcache events publish --type interface_flap --device rtr-001 --interface Gi0/1 --state down

    Prints the stream id of each event, or "duplicate" when the same event id was
    already published within the de-duplication window.
    """
    if json_file is not None:
        items: list[Any] = _read_json(json_file)
    elif kind:
        items = [_event_from_options(kind, dict(opts))]
    else:
        raise click.UsageError("give --type (with its fields) or --json FILE")
    try:
        events = [parse_event(item) for item in items]
    except EventError as e:
        raise click.ClickException(str(e)) from e
    settings = _settings()
    client = make_redis(settings)
    try:
        results = EventPublisher(client, settings).publish_many(events)
    except NetcacheError as e:
        raise click.ClickException(f"{e} ({redact_url(settings.redis_url)})") from e
    finally:
        client.close()
    for event, stream_id in zip(events, results):
        click.echo(f"{stream_id or 'duplicate'}\t{event.type}\t{event.id}\t{event.target_key()}")  # type: ignore[attr-defined]


# --- tail --------------------------------------------------------------------------------


def format_event_line(event: EventBase) -> str:
    """``2026-11-28T04:00:00Z  interface_flap  rtr-001  interface=GigabitEthernet0/1 state=down``"""
    when = (event.occurred_at or event.received_at).astimezone(UTC)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{stamp}  {event.type:<15} {event.device or '-':<15} {event.summary()}".rstrip()  # type: ignore[attr-defined]


def _print_entries(entries: list[Any], out: TextIO) -> str | None:
    last = None
    for entry_id, fields in entries:
        last = to_text(entry_id)
        try:
            out.write(format_event_line(decode_entry(fields, entry_id)) + "\n")
        except EventError as e:
            out.write(f"{last}  (undecodable) {e}\n")
    out.flush()
    return last


@events_group.command("tail")
@click.option("--count", "-n", default=20, show_default=True, help="How many of the latest events to show.")
@click.option("--follow", "-f", is_flag=True, help="Keep printing new events as they arrive (Ctrl-C stops).")
@click.option("--block-ms", default=1000, show_default=True, help="--follow: how long each read waits.")
def tail_command(count: int, follow: bool, block_ms: int) -> None:
    """Show the latest events on the stream, one line each: time (UTC), type, device, details."""
    settings = _settings()
    client = make_redis(settings, socket_timeout=max(5.0, block_ms / 1000 + 5))
    stream = settings.events.stream
    out = sys.stdout
    try:
        latest = client.xrevrange(stream, count=count) if count > 0 else []
        _print_entries(list(reversed(latest)), out)
        last: Any = latest[0][0] if latest else "$"  # xrevrange: newest first
        while follow:
            reply = client.xread({stream: last}, count=500, block=block_ms)
            for _name, entries in reply or []:
                last = _print_entries(entries, out) or last
    except KeyboardInterrupt:
        pass
    except NetcacheError as e:
        raise click.ClickException(str(e)) from e
    except OSError as e:
        raise click.ClickException(f"cannot read {stream} from {redact_url(settings.redis_url)}, unreachable "
                                   f"({e}): start Redis or set NETCACHE_REDIS_URL") from e
    except Exception as e:  # redis errors
        if e.__class__.__module__.startswith("redis"):
            raise click.ClickException(f"cannot read {stream} from {redact_url(settings.redis_url)}, unreachable "
                                   f"({e}): start Redis or set NETCACHE_REDIS_URL") from e
        raise
    finally:
        client.close()


# --- schema ------------------------------------------------------------------------------


@events_group.command("schema")
@click.option("--compact", is_flag=True, help="One line instead of indented JSON.")
def schema_command(compact: bool) -> None:
    """Print the JSON Schema of events (a oneOf on "type"), for webhook senders and other producers."""
    click.echo(json.dumps(event_json_schema(), indent=None if compact else 2, sort_keys=False))
