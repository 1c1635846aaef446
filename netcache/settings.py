"""One typed settings object for every netcache process.

Read from the environment with the prefix ``NETCACHE_`` (and an optional
``.env`` file). Top-level fields are flat (``NETCACHE_REDIS_URL``); sections
are nested with ``__`` (``NETCACHE_CACHE__SEMANTIC_THRESHOLD=0.8``).

Build it once at the edge (CLI, worker start-up, test fixture) with
``Settings()`` and pass it in; nothing reads it at import time.

Every default is documented once, beside its field.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, Field, NonNegativeFloat, SecretStr, field_validator
from pydantic_settings import BaseSettings, NestedSecretsSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

__all__ = [
    "CacheSettings",
    "LLMSettings",
    "EventSettings",
    "WorkerSettings",
    "Settings",
    "REDIS_URL_SCHEMES",
    "LOOPBACK_NETS",
    "OTHER_ENV_VARS",
    "known_env_vars",
    "unknown_env_vars",
    "describe_settings_error",
]

#: This host's networks: the allow-list the local stack and tests give the syslog listener.
LOOPBACK_NETS = ("127.0.0.0/8", "::1/128")

#: URL schemes NETCACHE_REDIS_URL (and the broker URL) may use.
REDIS_URL_SCHEMES = ("redis", "rediss", "unix", "memory", "redis+cluster", "rediss+cluster")

#: NETCACHE_* variables that are read by one command, not by Settings (not misspellings).
OTHER_ENV_VARS = frozenset({
    "NETCACHE_PUSH_PASSWORD",  # netcache push: the device password
    "NETCACHE_LLM_SERVER_API_KEY",  # netcache llm-server: the key the local server demands
    "NETCACHE_DEBUG",  # any command: show tracebacks instead of one-line errors
    "NETCACHE_ALLOW_UNKNOWN_ENV",  # any command: do not refuse unknown NETCACHE_* variables
    "NETCACHE_DEBUG_PAUSE_BEFORE_ACK_S",  # dispatcher test hook
    "NETCACHE_SECRETS_DIR",  # where secret files are read from (default /run/secrets)
})

#: Secrets as files (Docker/Kubernetes secrets): a file named like the variable, lower case,
#: e.g. /run/secrets/netcache_llm__api_key or /run/secrets/netcache_redis_url. Environment
#: variables win over files. NETCACHE_SECRETS_DIR moves the folder.
DEFAULT_SECRETS_DIR = "/run/secrets"


def _empty_path_is_none(value: Any) -> Any:
    """An empty path setting (``NETCACHE_CACHE__INVENTORY_FILE=``) means "none", not "." (a directory)."""
    return None if isinstance(value, str) and not value.strip() else value


#: A path setting that may be unset: empty means None.
OptionalPath = Annotated[Path | None, BeforeValidator(_empty_path_is_none)]


def _check_redis_url(value: str) -> str:
    scheme = urlsplit(value).scheme.lower() if "://" in value else ""
    if scheme not in REDIS_URL_SCHEMES:
        raise ValueError(f"{_safe_url(value)!r} is not a Redis URL: use redis://[:password@]host:6379/0, "
                         "rediss:// for TLS, unix:///path/to/redis.sock, redis+cluster://host:port[,host:port] "
                         "(Redis Cluster; rediss+cluster:// for TLS) or memory:// (in-process)")
    return value


def _safe_url(url: str) -> str:
    """The URL without its password (settings cannot import netcache.connections)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


class CacheSettings(BaseModel):
    """The answer cache: matching, TTLs, tiers, leases, size limits."""

    #: Cosine similarity a semantic candidate needs (after entity agreement).
    #: Picked with ``netcache tune`` (all-MiniLM-L6-v2, normalised text, guard on) on
    #: tests/data/netops_pairs.jsonl, netops_pairs_holdout.jsonl and netops_pairs_dev2.jsonl: no false
    #: positive from 0.62 up on any of them (the guard's roles, aspects, policies and term groups do
    #: that work); 0.70 keeps 0.08 of headroom above that for wording the sets do not have, at
    #: paraphrase recall 0.926 / 0.969 / 0.946 (0.74: 0.864 / 0.909 / 0.936). README "Matching numbers".
    semantic_threshold: float = Field(0.70, ge=0.0, le=1.0)
    #: Candidates within this distance below the threshold are logged as near misses.
    near_miss_margin: float = Field(0.05, ge=0.0, le=1.0)
    #: Reject semantic hits whose differing words change the meaning.
    guard_enabled: bool = True
    #: Optional inventory file: names per line, JSON/YAML devices, a NetBox /api/dcim/devices/ dump or a
    #: Nornir/Ansible hosts file (netcache.inventory). Adds sites, roles and primary IPs;
    #: hostname-shaped names are devices without it.
    inventory_file: OptionalPath = None
    #: Optional user lexicon (YAML, the shape of netcache/matching/data/lexicon.yaml), added to the shipped one.
    lexicon_file: OptionalPath = None
    #: Ask a small model about candidates the guard rejected only on wording (netcache.matching.verifier).
    #: Off by default: the offline numbers in the README are without it.
    verifier_enabled: bool = False
    #: Model the verifier asks (through the configured LLM endpoint).
    verifier_model: str = "claude-haiku-4-5"
    #: A verdict on a pair of questions is kept this long (the meaning of two questions does not go stale).
    verifier_cache_ttl_s: int = Field(30 * 24 * 3600, ge=1)
    #: Embedder: "minilm" (int8 ONNX all-MiniLM-L6-v2) or "hash" (tests of pure logic only).
    embedder: Literal["minilm", "hash"] = "minilm"
    #: onnxruntime intra-op threads of the MiniLM embedder (1: ~4 ms per question, leaves cores to others).
    embedder_threads: int = Field(1, ge=1)
    #: Embeddings are cached in Redis by text hash for this long (24 h).
    embedding_cache_ttl_s: int = 24 * 3600
    #: TTL by volatility class: static 7 d, stable 4 h, dynamic 5 min, volatile 30 s.
    ttl_static_s: int = 7 * 24 * 3600
    ttl_stable_s: int = 4 * 3600
    ttl_dynamic_s: int = 300
    ttl_volatile_s: int = 30
    #: Tier TTL caps and sizes: hot 5 min / 1,000 LRU, warm 1 h / 5,000 LFU, cold 24 h / 10,000 random.
    hot_ttl_s: int = 300
    warm_ttl_s: int = 3600
    cold_ttl_s: int = 24 * 3600
    hot_max_entries: int = 1_000
    warm_max_entries: int = 5_000
    cold_max_entries: int = 10_000
    #: Promotion by access count: cold→warm at 5, warm→hot at 10.
    promote_cold_to_warm: int = 5
    promote_warm_to_hot: int = 10
    #: Hard cap on all entries (sum of tiers by default).
    max_entries: int = 16_000
    #: Stampede lease: one generator holds it this long (10 s) …
    lease_ttl_ms: int = 10_000
    #: … and the others poll for its answer this long (5 s) before generating themselves.
    lease_wait_ms: int = 5_000
    #: Serve soft-invalidated answers younger than this while one refresh runs (5 min).
    stale_max_age_s: int = 300
    #: How often an in-process vector index pulls changes made by other processes.
    index_sync_interval_ms: int = 200
    #: Approximate MAXLEN of the vector index change log ({nc}:ix:log); a process further behind reloads.
    index_log_maxlen: int = 100_000
    #: Query log: half-life of the decayed ask counts, and how many questions it keeps.
    query_log_halflife_s: float = Field(24 * 3600.0, gt=0.0)
    query_log_max: int = Field(5_000, ge=1)
    #: Record every cache's traffic (hits, misses, latency, LLM calls, $) in Redis for `netcache report` and
    #: /metrics, for caches built without ``metrics=`` (``metrics=False`` turns one off).
    metrics_enabled: bool = True
    #: The most Redis time one bot request (get, get_or_generate, put) may spend before it falls back
    #: to the LLM: the socket and connect timeout of the client the cache builds (no retries), and the
    #: request's total across its round trips (50 ms).
    redis_budget_ms: int = Field(50, ge=1)
    #: Circuit breaker: after this many consecutive Redis failures, bot requests stop trying Redis …
    breaker_failures: int = Field(3, ge=1)
    #: … for this long; then one request probes it (half-open) and a success closes the breaker.
    breaker_cooldown_s: float = Field(5.0, gt=0.0)


class LLMSettings(BaseModel):
    """The generator (Anthropic, an OpenAI-compatible endpoint, or the bot's own) and the price table."""

    #: Which generator answers misses, warm-ups and refreshes, in the bot and in every worker:
    #: "anthropic" (the Messages API), "openai" (any OpenAI-compatible endpoint: OpenAI, vLLM,
    #: Ollama, a LiteLLM proxy) or "package.module:callable" (a factory taking the settings, or a
    #: generator object); see netcache/llm/loading.py.
    generator: str = "anthropic"
    #: Model asked by default (Claude Sonnet; 4.5 reaches end-of-life 2026-11-30).
    model: str = "claude-sonnet-4-6"
    #: API key; when unset the demo uses the local Messages API server and says so.
    api_key: SecretStr | None = None
    #: Base URL of the selected generator's API (tests and the offline demo point it at 127.0.0.1;
    #: for "openai" it ends in /v1, e.g. http://127.0.0.1:8000/v1 for vLLM or :11434/v1 for Ollama).
    base_url: str | None = None
    #: Sampling temperature sent with every request (None = the API's default); a question's
    #: ``params={"temperature": ...}`` overrides it.
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    #: Maximum tokens in one answer.
    max_tokens: int = 1024
    #: SDK retries on overload / rate limits (with the SDK's backoff).
    max_retries: int = 3
    #: Per-request timeout.
    timeout_s: float = 60.0
    #: Price overrides in $ per million tokens (None = the table in netcache/llm/pricing.py).
    price_input_per_mtok: float | None = Field(None, ge=0.0)
    price_output_per_mtok: float | None = Field(None, ge=0.0)
    #: Per-model prices, model id prefix → [$ in, $ out] per million tokens, over the table and the two
    #: overrides above (JSON in the environment: NETCACHE_LLM__PRICES_PER_MTOK='{"llama3.1": [0.2, 0.2]}').
    prices_per_mtok: dict[str, tuple[NonNegativeFloat, NonNegativeFloat]] = Field(default_factory=dict)
    #: What serving one answer from the cache costs (≈ $0.0001); saved $ = avoided call − this.
    hit_cost_usd: float = Field(0.0001, ge=0.0)
    #: How often each process flushes its buffered metrics to Redis (nc:m:*).
    metrics_flush_interval_s: float = Field(1.0, gt=0.0)
    #: Prometheus /metrics port for `start_metrics_http` (0 = off).
    metrics_port: int = 0


class EventSettings(BaseModel):
    """Event ingestion: stream, listeners, webhook receiver."""

    #: The Redis stream every event lands on.
    stream: str = "nc:events"
    #: Length limit of the stream. It is trimmed only below what every consumer group has read and
    #: acknowledged (XTRIM MINID); at the limit with unprocessed events, publishing is refused
    #: (webhook 503, syslog holds), never done by dropping unread events.
    stream_maxlen: int = Field(1_000_000, ge=1)
    #: Events with the same id inside this window are published once.
    dedup_window_s: int = 3600
    #: Most event ids the de-dup record (zset nc:ev:seen, no TTL) keeps; the oldest go first.
    dedup_max_ids: int = Field(500_000, ge=1)
    #: Syslog listener bind address and port (UDP and TCP).
    syslog_host: str = "127.0.0.1"
    syslog_port: int = 5514
    #: Source networks allowed to send syslog (CIDR list). Empty (the default) = every source is
    #: denied, and the listener says so at start; ["0.0.0.0/0", "::/0"] allows every source.
    syslog_allow: list[str] = Field(default_factory=list)
    #: What syslog (unauthenticated; UDP sources can be spoofed) may make the worker invalidate and
    #: warm: events published per second per source address, with this burst (a relay forwarding
    #: many devices needs more), and per device (a flap storm is coalesced by the dispatcher
    #: anyway). Events over a limit are counted (rate_limited_source / rate_limited_device), not
    #: published. 0 = no limit.
    syslog_rate_per_source: float = Field(20.0, ge=0)
    syslog_burst_per_source: int = Field(200, ge=1)
    syslog_rate_per_device: float = Field(2.0, ge=0)
    syslog_burst_per_device: int = Field(50, ge=1)
    #: TCP syslog: connections held at once, in all and from one source address (more are closed at
    #: once and counted as connections_refused), and how long one may stay silent before it is
    #: closed (idle_closed). Devices reconnect when they have something to send.
    syslog_tcp_max_connections: int = Field(1_000, ge=1)
    syslog_tcp_max_per_source: int = Field(20, ge=1)
    syslog_tcp_idle_timeout_s: float = Field(300.0, gt=0)
    #: Syslog over TLS (RFC 5425: octet-counted frames over TLS) on this TCP port; 0 = off. Needs
    #: the server's certificate chain and key (PEM). With a CA file, clients that present a
    #: certificate must present one from it; with syslog_tls_require_client_cert, every client must
    #: (the only way to authenticate syslog senders).
    syslog_tls_port: int = Field(0, ge=0, le=65535)
    syslog_tls_cert_file: OptionalPath = None
    syslog_tls_key_file: OptionalPath = None
    syslog_tls_ca_file: OptionalPath = None
    syslog_tls_require_client_cert: bool = False
    #: Webhook receiver bind address and port.
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8088
    #: Bearer token required on webhook endpoints.
    webhook_token: SecretStr | None = None
    #: Shared secret for NetBox's X-Hook-Signature (HMAC-SHA512).
    netbox_secret: SecretStr | None = None
    #: Largest accepted webhook body.
    webhook_max_body_bytes: int = 1_048_576
    #: Deepest nesting of arrays/objects a webhook body may have (NetBox bodies need about 6); deeper = 400.
    webhook_max_json_depth: int = Field(32, ge=2)
    #: NetBox bodies whose ``timestamp`` is further than this from now are refused (422), so a
    #: delivery replayed after the de-duplication window is not published again; 0 = no check.
    netbox_max_age_s: int = Field(300, ge=0)
    #: Publisher: Redis outages are retried this many times with exponential backoff + jitter …
    publish_retries: int = Field(5, ge=0)
    #: … starting at this pause and doubling up to the cap, then BackendUnavailable.
    publish_backoff_ms: int = Field(50, ge=0)
    publish_backoff_max_ms: int = Field(2_000, ge=0)
    #: Syslog listener: events held in memory while Redis is down; beyond this they are counted as dropped.
    syslog_buffer_max: int = Field(100_000, ge=1)
    #: Syslog listener: XADD pipeline size, and the longest an event waits before its batch is flushed.
    syslog_batch_size: int = Field(500, ge=1)
    syslog_flush_ms: int = Field(50, ge=1)
    #: Syslog lines longer than this are rejected and counted (RFC 5424 receivers must take 2 KiB).
    syslog_max_line_bytes: int = Field(8_192, ge=480)
    #: SO_RCVBUF asked for on the UDP socket (the kernel may cap it at net.core.rmem_max).
    syslog_rcvbuf_bytes: int = Field(8 * 1024 * 1024, ge=65_536)
    #: Vendor rules to use: "auto" (guess from the message shape) or a vendor name (cisco_ios, junos, ...).
    syslog_vendor: str = "auto"
    #: Per-source vendor override: source address or CIDR → vendor name.
    syslog_vendor_by_source: dict[str, str] = Field(default_factory=dict)
    #: Prometheus /metrics port of the syslog listener (0 = off).
    syslog_metrics_port: int = 0
    #: How often the listener refreshes nc:w:health:syslog:{hostname} (TTL 3x this).
    syslog_health_interval_s: float = Field(10.0, gt=0)
    #: Extra syslog rules (JSON: {"vendor": [rule, ...]}, same shape as events/syslog/vendor_rules), tried first.
    syslog_rules_file: OptionalPath = None
    #: Webhook receiver: how often it refreshes nc:w:health:webhook:{hostname} (TTL 3x this).
    webhook_health_interval_s: float = Field(10.0, gt=0)
    #: Webhook receiver: Retry-After (seconds) sent with a 503 when Redis cannot take the events.
    webhook_retry_after_s: int = Field(5, ge=1)
    #: Extra Alertmanager alertname → event rules (JSON or YAML list); they come before the built-in table.
    alertmanager_rules_file: OptionalPath = None


class WorkerSettings(BaseModel):
    """Dispatcher, Celery tasks and the beat schedule."""

    #: Celery broker; defaults to the Redis URL.
    broker_url: str | None = None

    @field_validator("broker_url")
    @classmethod
    def _broker_scheme(cls, value: str | None) -> str | None:
        return None if value is None else _check_redis_url(value)
    #: Consumer group on the events stream.
    consumer_group: str = "nc-dispatchers"
    #: Dead-letter stream for events that cannot be processed. The ``{nc:events}`` hash tag puts it
    #: in the slot of ``nc:events`` on a Redis Cluster (dead-lettering and the ack are one MULTI).
    dead_letter_stream: str = "{nc:events}:dead"
    #: Entries read per XREADGROUP.
    read_count: int = 500
    #: XREADGROUP block time.
    block_ms: int = 1_000
    #: Claim entries idle this long from crashed consumers.
    claim_idle_ms: int = 30_000
    #: Consumers of the group idle this long with nothing pending are removed (dead dispatchers).
    consumer_grace_s: float = Field(600.0, gt=0)
    #: Dead-letter an entry delivered more than this many times.
    max_deliveries: int = 5
    #: Events for the same target inside this window become one action.
    coalesce_window_s: float = 5.0
    #: Gradual invalidation: batch size and pause (100 entries, 100 ms).
    invalidate_batch_size: int = 100
    invalidate_pause_ms: int = 100
    #: Rules file (event type → tags to invalidate / questions to warm); None = built-in defaults.
    rules_file: OptionalPath = None
    #: Warming budget per run and per day.
    warm_max_calls_per_run: int = 20
    warm_max_calls_per_day: int = 2_000
    warm_max_dollars_per_day: float = 5.0
    #: Share of the day's warm calls that warm-ups caused by syslog events may spend (syslog is
    #: unauthenticated: a spoofed flood must leave the rest to operators and the nightly refresh).
    warm_syslog_share: float = Field(0.25, ge=0.0, le=1.0)
    warm_concurrency: int = 4
    #: Warm-up LLM calls at once across every worker (a Redis semaphore), and how long one waits for a slot.
    warm_global_concurrency: int = 8
    warm_slot_wait_s: float = 60.0
    #: Device logins for warm-ups from the device's real state (YAML/JSON: device name → host, port,
    #: device_type, username, password_env, secret_env, netmiko_args; the DeviceSpec `netcache push`
    #: uses). None = warm-ups have no device state (their answers' metadata says so).
    devices_file: OptionalPath = None
    #: Connect / read timeout of the show commands a warm-up runs first (under the generation lease).
    device_state_timeout_s: float = Field(5.0, gt=0.0)
    #: Warm-ups with device state send at most this many characters of command output as context.
    device_state_max_chars: int = Field(20_000, ge=100)
    #: A soft invalidation leaves alone answers a warm-up generated less than this long before it
    #: (the same burst of events: warm → soft-invalidate → warm again costs one call, not three).
    warm_burst_s: float = Field(60.0, ge=0.0)
    #: Nightly refresh: top N questions at this local time in this zone.
    refresh_top_n: int = 100
    refresh_hour: int = 2
    refresh_minute: int = 0
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"unknown time zone {value!r}: use an IANA name such as UTC, Europe/Berlin "
                             "or America/New_York") from e
        return value
    #: Topology warming (every inventory device's status questions) this often.
    topology_warm_every_s: int = 6 * 3600
    #: XFetch early refresh of the top questions this often.
    refresh_expiring_every_s: int = 300
    #: How often beat runs netcache.sweep, which drops index and tier records of entries Redis expired.
    sweep_every_s: int = 3600
    #: Hard / soft time limit of one Celery task. The longest task is a big
    #: invalidation: 100k entries at 100 per batch, 100 ms apart ≈ 100 s of
    #: pauses plus the work, far below 30 min.
    task_time_limit_s: int = 1_800
    task_soft_time_limit_s: int = 1_700
    #: Redis broker visibility timeout: an unacknowledged task (acks_late) is handed to another
    #: worker this long after its delivery, so a killed worker's tasks are back within a minute
    #: (plus unacked_restore_interval_s). The worker's watch (tasks/health.py) moves the delivery
    #: time of the tasks it runs every health_ttl_s / 3, so a long task is not handed out twice;
    #: keep it at least 3 times that interval.
    visibility_timeout_s: int = Field(40, ge=1)
    #: The worker exits (code 1, for its supervisor to restart it) when its pool has had no live
    #: child this long, or this long after it began to stop and is still running.
    worker_exit_grace_s: float = Field(30.0, gt=0)
    #: Dispatcher: stop enqueueing (hold the events, retried with backoff) while the broker uses more
    #: than this share of its maxmemory, so a full broker still has room for the worker to take
    #: tasks (kombu's unacked record); 0 = off.
    broker_high_water: float = Field(0.9, ge=0.0, le=1.0)
    #: How often each worker sweeps for unacknowledged tasks past the visibility timeout
    #: (a worker killed mid-task); its task is redelivered at most this long after the timeout.
    unacked_restore_interval_s: int = 10
    #: Celery results (task return values) expire after this long.
    result_expires_s: int = 24 * 3600
    #: RedBeat's lock: a second beat takes over this long after the first one dies.
    beat_lock_timeout_s: int = 30
    #: Heartbeat keys (nc:w:health:{component}:{host}) live this long, refreshed every third of it.
    health_ttl_s: int = 30
    #: Where a new consumer group starts reading: "0" = every event already on the
    #: stream (events published before the first dispatcher started are not lost),
    #: "$" = only events published from now on.
    group_start_id: str = "0"
    #: Dispatcher: how long the "this action was enqueued" marker of a leading
    #: action lives (nc:w:{nc:events}:action:<id>); redeliveries later than this rely on the
    #: tasks' own de-duplication by action_id.
    action_marker_ttl_s: int = 3_600
    #: Dispatcher: counters and health key written this often.
    dispatcher_health_interval_s: float = 5.0
    #: Dispatcher: Prometheus /metrics port (0 = off; `netcache dispatcher --metrics-port`).
    dispatcher_metrics_port: int = 0
    #: Dispatcher: address its /metrics binds (this host only by default; 0.0.0.0 to expose it).
    dispatcher_metrics_host: str = "127.0.0.1"
    #: Dispatcher: Redis/broker outages are retried with exponential backoff up to this pause.
    dispatcher_backoff_max_s: float = 10.0
    #: Dispatcher: how a read batch's actions reach the broker. "batch": the invalidations go as
    #: ``netcache.invalidate_batch`` messages of up to ``dispatch_batch_max`` actions each (one
    #: message, not one per action); "pipelined": one ``netcache.invalidate`` message per action,
    #: all of a batch's LPUSHes in one round trip (kombu's ``Producer.batch()``); "per_action":
    #: one ``send_task`` round trip per action (the old path, kept for comparison).
    dispatch_mode: Literal["batch", "pipelined", "per_action"] = "batch"
    #: Dispatcher: at most this many actions in one ``netcache.invalidate_batch`` message (a batch
    #: runs in one worker, so smaller batches spread a burst over more workers).
    dispatch_batch_max: int = 100


class Settings(BaseSettings):
    """Everything a netcache process needs, from ``NETCACHE_*`` variables."""

    model_config = SettingsConfigDict(
        env_prefix="NETCACHE_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    #: Redis for the cache, the event stream and (by default) the Celery broker.
    #: ``redis://[:password@]host:port/db`` or ``rediss://`` for TLS.
    redis_url: str = "redis://127.0.0.1:6379/0"
    #: CA bundle for ``rediss://`` URLs (None = system store).
    redis_ssl_ca_certs: OptionalPath = None
    #: Certificate check for ``rediss://``: "required", "optional" or "none".
    redis_ssl_cert_reqs: Literal["required", "optional", "none"] = "required"
    #: Prefix of every key netcache writes (one Redis can hold several namespaces).
    key_prefix: str = "nc"
    #: Log level for CLI processes.
    log_level: str = "INFO"
    #: Start-up check of each Redis's eviction policy and persistence (netcache/durability.py):
    #: "warn" logs what cannot keep accepted events and worker state, "refuse" exits instead, "off" skips it.
    durability_check: Literal["warn", "refuse", "off"] = "warn"

    cache: CacheSettings = Field(default_factory=CacheSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    events: EventSettings = Field(default_factory=EventSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        return _check_redis_url(value)

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then NETCACHE_* variables, then .env, then secret files (see DEFAULT_SECRETS_DIR)."""
        secrets = NestedSecretsSettingsSource(
            file_secret_settings, secrets_dir=os.environ.get("NETCACHE_SECRETS_DIR", DEFAULT_SECRETS_DIR),
            secrets_dir_missing="ok", secrets_nested_delimiter="__", env_prefix="NETCACHE_")
        return init_settings, env_settings, dotenv_settings, secrets


def known_env_vars(model: type[BaseModel] = Settings, prefix: str = "NETCACHE_") -> set[str]:
    """Every NETCACHE_* name Settings reads (sections nested with ``__``)."""
    names: set[str] = set()
    for name, field in model.model_fields.items():
        env = f"{prefix}{name.upper()}"
        names.add(env)
        sub = field.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            names |= known_env_vars(sub, env + "__")
    return names


def unknown_env_vars(environ: Mapping[str, str] | None = None) -> list[tuple[str, str | None]]:
    """NETCACHE_* variables in ``environ`` that no setting reads, each with the closest real name
    (or None): a misspelt variable is otherwise silently ignored."""
    env = os.environ if environ is None else environ
    known = known_env_vars() | OTHER_ENV_VARS
    out: list[tuple[str, str | None]] = []
    for name in sorted(env):
        if name.upper().startswith("NETCACHE_") and name.upper() not in known:
            close = difflib.get_close_matches(name.upper(), sorted(known), n=1, cutoff=0.8)
            out.append((name, close[0] if close else None))
    return out


def describe_settings_error(e: Any) -> str:
    """One line for a pydantic ValidationError of Settings: which variable, what is wrong."""
    errors = getattr(e, "errors", None)
    if not callable(errors):
        return str(e)
    parts = []
    for err in errors():
        loc = "__".join(str(x).upper() for x in err.get("loc", ()))
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"NETCACHE_{loc}: {msg}" if loc else msg)
    return "; ".join(parts) or str(e)
