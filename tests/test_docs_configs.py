"""The copy-paste configs in docs/ are the tested ones: shown verbatim in the docs, checked by the real
tools (rsyslogd -N1, syslog-ng --syntax-only, amtool, promtool), and run against real netcache processes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from netcache.devtools.local_redis import free_port
from netcache.events.webhooks.netbox import compute_signature
from tests.support.relays import (
    CONFIGS,
    RSYSLOG_VARIABLES,
    SYSLOG_NG_VARIABLES,
    rsyslog_main_conf,
    stream_events,
    syslog_ng_argv,
    syslog_ng_main_conf,
    wait_for,
)

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
TOKEN = "tok-docs-7d1c0e9a5b3f4e2d8c6b"
NETBOX_SECRET = "netbox-docs-secret-4f2a9c"


def fenced_blocks(markdown: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"```[a-z]*\n(.*?)```", markdown, re.S)]


@pytest.mark.parametrize("doc,config", [
    ("syslog-relays.md", "rsyslog-netcache.conf"),
    ("syslog-relays.md", "syslog-ng-netcache.conf"),
    ("alertmanager.md", "alertmanager-netcache.yml"),
])
def test_each_doc_shows_its_tested_config_file_verbatim(doc, config):
    assert (CONFIGS / config).read_text() in fenced_blocks((DOCS / doc).read_text())


def test_the_docs_name_every_variable_the_relay_configs_use():
    text = (DOCS / "syslog-relays.md").read_text()
    for config, names in (("rsyslog-netcache.conf", RSYSLOG_VARIABLES), ("syslog-ng-netcache.conf",
                                                                           SYSLOG_NG_VARIABLES)):
        used = set(re.findall(r"\$\{([A-Z0-9_]+)\}", (CONFIGS / config).read_text()))
        assert used == set(names), config
        for name in names:
            assert f"`{name}`" in text, name


def rsyslog_vars(**changes: str) -> dict[str, str]:
    return {"NETCACHE_HOST": "127.0.0.1", "NETCACHE_SYSLOG_PORT": "5514", "NETCACHE_SYSLOG_PROTOCOL": "tcp",
            "NETCACHE_SYSLOG_TEMPLATE": "RSYSLOG_SyslogProtocol23Format", "RELAY_PORT": str(free_port()), **changes}


@pytest.mark.parametrize("protocol,template", [("tcp", "RSYSLOG_SyslogProtocol23Format"),
                                               ("udp", "RSYSLOG_SyslogProtocol23Format"),
                                               ("tcp", "RSYSLOG_ForwardFormat"),
                                               ("udp", "RSYSLOG_TraditionalForwardFormat")])
def test_rsyslogd_accepts_the_rendered_rsyslog_config(tmp_path, protocol, template):
    main = rsyslog_main_conf(tmp_path, rsyslog_vars(NETCACHE_SYSLOG_PROTOCOL=protocol,
                                                    NETCACHE_SYSLOG_TEMPLATE=template))
    out = subprocess.run([shutil.which("rsyslogd") or "/usr/sbin/rsyslogd", "-N1", "-f", str(main)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert "error" not in out.stderr.lower(), out.stderr


def test_rsyslogd_refuses_the_config_when_a_variable_was_not_set(tmp_path):
    main = rsyslog_main_conf(tmp_path, rsyslog_vars(NETCACHE_SYSLOG_TEMPLATE=""))  # envsubst leaves it empty
    out = subprocess.run([shutil.which("rsyslogd") or "/usr/sbin/rsyslogd", "-N1", "-f", str(main)],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode != 0 or "error" in out.stderr.lower()


def syslog_ng_vars(tmp_path: Path, **changes: str) -> dict[str, str]:
    return {"NETCACHE_HOST": "127.0.0.1", "NETCACHE_SYSLOG_PORT": "5514", "NETCACHE_SYSLOG_DRIVER": "syslog",
            "NETCACHE_SYSLOG_PROTOCOL": "tcp", "RELAY_PORT": str(free_port()), "RELAY_RFC5424_PORT": str(free_port()),
            "RELAY_BUFFER_DIR": str(tmp_path), **changes}


@pytest.mark.parametrize("driver,protocol", [("syslog", "tcp"), ("syslog", "udp"), ("network", "udp"),
                                             ("network", "tcp")])
def test_syslog_ng_accepts_the_rendered_syslog_ng_config(tmp_path, driver, protocol):
    main = syslog_ng_main_conf(tmp_path, syslog_ng_vars(tmp_path, NETCACHE_SYSLOG_DRIVER=driver,
                                                        NETCACHE_SYSLOG_PROTOCOL=protocol))
    argv, env = syslog_ng_argv(tmp_path, main, "--syntax-only")
    out = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr


def test_syslog_ng_refuses_an_unknown_destination_driver(tmp_path):
    main = syslog_ng_main_conf(tmp_path, syslog_ng_vars(tmp_path, NETCACHE_SYSLOG_DRIVER="rfc5424"))
    argv, env = syslog_ng_argv(tmp_path, main, "--syntax-only")
    assert subprocess.run(argv, env=env, capture_output=True, timeout=30).returncode != 0


# --- Alertmanager --------------------------------------------------------------------------------------


def amtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["amtool", *args], capture_output=True, text=True, timeout=30)


def test_amtool_accepts_the_alertmanager_snippet():
    out = amtool("check-config", str(CONFIGS / "alertmanager-netcache.yml"))
    assert out.returncode == 0 and "SUCCESS" in out.stdout, out.stdout + out.stderr


def test_amtool_refuses_the_snippet_with_both_a_token_and_a_token_file(tmp_path):
    broken = (CONFIGS / "alertmanager-netcache.yml").read_text().replace(
        "            credentials_file:", "            credentials: inline-token\n            credentials_file:")
    (tmp_path / "am.yml").write_text(broken)
    assert amtool("check-config", str(tmp_path / "am.yml")).returncode != 0


@pytest.mark.parametrize("labels,receiver", [
    (["alertname=BGPSessionDown", "device=rtr-001", "peer=10.0.0.2"], "netcache"),
    (["alertname=InterfaceDown", "device=rtr-001", "interface=Gi0/1"], "netcache"),
    (["alertname=DeviceRebooted", "device=rtr-001"], "netcache"),
    (["alertname=HighCPU", "device=rtr-001"], "default"),
])
def test_the_snippet_routes_network_alerts_to_netcache_and_others_elsewhere(labels, receiver):
    out = amtool("config", "routes", "test", f"--config.file={CONFIGS / 'alertmanager-netcache.yml'}", *labels)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == receiver


def start_webhook(redis_url: str, port: int, **env_extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETCACHE_")}
    env.update(NETCACHE_REDIS_URL=redis_url, NETCACHE_EVENTS__WEBHOOK_TOKEN=TOKEN,
               NETCACHE_EVENTS__WEBHOOK_PORT=str(port), **env_extra)
    proc = subprocess.Popen([str(Path(sys.executable).parent / "netcache"), "webhook"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def up() -> bool:
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                return resp.status == 200
        except (urllib.error.URLError, ConnectionError):
            return False

    wait_for(up, 30, "netcache webhook start")
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.communicate(timeout=20)


def test_alertmanager_with_the_documented_snippet_delivers_a_firing_alert_to_the_webhook_receiver(
        redis_url, redis_client, settings, tmp_path):
    web_port, am_port = free_port(), free_port()
    token_file = tmp_path / "netcache-token"
    token_file.write_text(TOKEN + "\n")
    token_file.chmod(0o600)
    config = (CONFIGS / "alertmanager-netcache.yml").read_text()
    # only the two site-specific values change: where netcache listens and where the token file is
    config = config.replace("http://netcache.example.net:8088", f"http://127.0.0.1:{web_port}").replace(
        "/etc/alertmanager/netcache-token", str(token_file))
    (tmp_path / "alertmanager.yml").write_text(config)
    webhook = start_webhook(redis_url, web_port)
    am = subprocess.Popen([shutil.which("prometheus-alertmanager") or "/usr/bin/prometheus-alertmanager",
                           f"--config.file={tmp_path / 'alertmanager.yml'}", f"--storage.path={tmp_path / 'data'}",
                           f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address="],
                          stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        def ready() -> bool:
            assert am.poll() is None, "alertmanager exited"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{am_port}/-/ready", timeout=2) as resp:
                    return resp.status == 200
            except (urllib.error.URLError, ConnectionError):
                return False

        wait_for(ready, 30, "alertmanager ready")
        alert = [{"labels": {"alertname": "BGPSessionDown", "device": "rtr-001", "peer": "10.0.0.2",
                             "peer_as": "65002"},
                  "startsAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}]
        req = urllib.request.Request(f"http://127.0.0.1:{am_port}/api/v2/alerts", data=json.dumps(alert).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert resp.status == 200
        wait_for(lambda: redis_client.xlen(settings.events.stream) == 1, 30, "the alert as an event")
    finally:
        am.terminate()
        am.wait(20)
        stop(webhook)
    (event,) = stream_events(redis_client, settings.events.stream)
    assert (event.type, event.device, event.neighbor, event.remote_as) == ("bgp_down", "rtr-001", "10.0.0.2", 65002)


# --- Prometheus alert rules ----------------------------------------------------------------------------


def test_promtool_accepts_the_alert_rules():
    out = subprocess.run(["promtool", "check", "rules", str(ALERTS)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS" in out.stdout + out.stderr


def test_the_unrecognized_alert_fires_above_a_fifth_after_fifteen_minutes_and_not_before(tmp_path):
    shutil.copy(ALERTS, tmp_path / "alerts.yml")
    shutil.copy(ROOT / "tests" / "data" / "prometheus" / "alerts_test.yml", tmp_path / "alerts_test.yml")
    out = subprocess.run(["promtool", "test", "rules", "alerts_test.yml"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_syslog_alert_rules_read_metrics_netcache_exports(redis_client, settings):
    from prometheus_client import generate_latest

    from netcache.worker.metrics import metrics_registry  # what `netcache metrics` serves

    body = generate_latest(metrics_registry(redis_client, settings)).decode()
    exported = set(re.findall(r"^(netcache_[a-z_]+)", body, re.M))
    used = set(re.findall(r"\b(netcache_syslog_[a-z_]+)\b", ALERTS.read_text()))
    assert used and used <= exported  # the other rules are checked in tests/test_observability.py


# --- NetBox ----------------------------------------------------------------------------------------------


def netbox_body(generation: str) -> bytes:
    """A device update as NetBox serialises it (json.dumps of the webhook context, default body template)."""
    body = json.loads((ROOT / "tests" / "data" / "webhooks" / "netbox_device_updated.json").read_text())
    body["timestamp"] = datetime.now(UTC).isoformat()  # a delivery from now: older bodies are refused as replays
    if generation == "object_type":  # newer NetBox: object_type and request instead of model/username/request_id
        body["object_type"] = "dcim.device"
        body["request"] = {"id": body.pop("request_id"), "user": body.pop("username"), "method": "PATCH",
                           "path": "/api/dcim/devices/17/", "path_info": "/api/dcim/devices/17/", "GET": {}}
        del body["model"]
    return json.dumps(body).encode("utf8")


@pytest.mark.parametrize("generation", ["model", "object_type"])
def test_a_netbox_body_signed_like_netbox_signs_it_reaches_the_stream_through_the_running_receiver(
        redis_url, redis_client, settings, generation):
    port = free_port()
    webhook = start_webhook(redis_url, port, NETCACHE_EVENTS__NETBOX_SECRET=NETBOX_SECRET)
    try:
        raw = netbox_body(generation)
        headers = {"Content-Type": "application/json", "X-Hook-Signature": compute_signature(NETBOX_SECRET, raw)}
        req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/netbox", data=raw, headers=headers, method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 202
            assert json.loads(resp.read())["published"] == 1
        bad = urllib.request.Request(f"http://127.0.0.1:{port}/v1/netbox", data=raw + b" ", headers=headers,
                                     method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(bad, timeout=10)
        refused.value.close()
        assert refused.value.code == 401
    finally:
        stop(webhook)
    (event,) = stream_events(redis_client, settings.events.stream)
    assert (event.type, event.device, event.user) == ("config_change", "rtr-001", "alice")
    assert "platform: 2 -> 3" in event.changed_lines
