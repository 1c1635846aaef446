"""Inventory sources: files (shapes validated), NetBox dumps and API (pynetbox, paging), Nornir/Ansible hosts,
IP → device for questions and syslog sources."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from netcache.errors import ConfigError
from netcache.events.syslog.parser import SyslogParser
from netcache.inventory import Inventory, device_for_source, load_inventory
from netcache.matching.entities import extract_entities
from tests.support.netbox_server import NetBoxServer, netbox_device

NETCACHE = str(Path(sys.executable).with_name("netcache"))
DEVICES = [netbox_device(i, f"leaf-{i:02d}.dc1", "ams1" if i % 2 else "fra1", "leaf", f"10.0.0.{i}")
           for i in range(1, 12)] + [netbox_device(50, None, "ams1", "leaf", None)]


def test_a_netbox_devices_dump_loads_its_results_not_its_page_keys(tmp_path):
    dump = tmp_path / "devices.json"
    dump.write_text(json.dumps({"count": 12, "next": None, "previous": None, "results": DEVICES[:3]}))
    inv = load_inventory(dump)
    assert inv.devices == {"leaf-01.dc1", "leaf-02.dc1", "leaf-03.dc1"}
    assert not {"count", "next", "previous", "results"} & inv.devices
    assert inv.site_of("leaf-02.dc1") == "fra1" and inv.role_of("leaf-01.dc1") == "leaf"
    assert inv.device_for_ip("10.0.0.3") == "leaf-03.dc1" and inv.device_for_ip("10.0.0.3/32") == "leaf-03.dc1"


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("inv.json", "42", "got int, expected a list of device names"),
    ("inv.json", '{"rtr-1": 5}', "maps to int"),
    ("inv.json", '[{"site": "ams"}]', "device name must be a non-empty string"),
    ("inv.json", '{"count": 1, "next": null, "results": {"a": 1}}', "'results' must be a list"),
    ("inv.yaml", "devices: [a, [b]]", "device name must be a non-empty string"),
    ("inv.json", "{oops", "not valid JSON"),
])
def test_a_file_of_the_wrong_shape_is_a_config_error_naming_the_file_and_what_was_expected(tmp_path, name, content,
                                                                                             expected):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ConfigError) as e:
        load_inventory(path)
    assert str(path) in str(e.value) and expected in str(e.value)


def test_nornir_and_ansible_hosts_files_load_with_sites_and_addresses(tmp_path):
    nornir = tmp_path / "hosts.yaml"
    nornir.write_text("core1.ams:\n  hostname: 10.1.0.1\n  groups: [site_ams]\n  platform: ios\n"
                      "pe1.lon:\n  hostname: 10.2.0.1\n  data:\n    site: lon\n    role: pe\n")
    inv = load_inventory(nornir)
    assert inv.devices == {"core1.ams", "pe1.lon"}
    assert inv.site_of("core1.ams") == "ams" and inv.site_of("pe1.lon") == "lon" and inv.role_of("pe1.lon") == "pe"
    assert inv.device_for_ip("10.2.0.1") == "pe1.lon"
    ansible = tmp_path / "ansible.yml"
    ansible.write_text("all:\n  children:\n    ams:\n      vars: {site: ams}\n      hosts:\n"
                       "        SW-FLOOR3: {ansible_host: 10.3.0.3}\n        border: {}\n")
    inv = load_inventory(ansible)
    assert inv.devices == {"sw-floor3", "border"} and inv.site_of("border") == "ams"
    assert inv.device_for_ip("10.3.0.3") == "sw-floor3"


def test_a_question_naming_a_primary_ip_gets_the_devices_tag_and_site(tmp_path):
    inv = Inventory(frozenset({"core1.ams"}), sites={"core1.ams": "ams"}, ips={"10.9.0.1": "core1.ams"})
    ents = extract_entities("is 10.9.0.1 reachable", inv)
    assert {"device:core1.ams", "site:ams", "ip:10.9.0.1"} <= set(ents.tags())
    assert ents.signature() == extract_entities("is 10.9.0.1 reachable").signature()  # the IP is the filter


def test_a_syslog_event_from_an_ip_only_source_is_about_the_inventory_device(settings):
    parsed = SyslogParser.from_settings(settings).parse(
        b"<189>Mar  1 10:00:00 10.9.0.7 %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down",
        "10.9.0.7")
    assert parsed.event.device == "10.9.0.7"
    inv = Inventory(frozenset({"core1.ams"}), ips={"10.9.0.7": "core1.ams"})
    event = device_for_source(parsed.event, inv)
    assert event.device == "core1.ams" and event.id != parsed.event.id
    assert device_for_source(parsed.event, None) is parsed.event
    assert device_for_source(parsed.event, Inventory(frozenset({"x"}), ips={"10.0.0.1": "x"})) is parsed.event


def _netcache(args: list[str], env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NETCACHE_", "NB_"))}
    env.update(env_extra)
    return subprocess.run([NETCACHE, *args], env=env, capture_output=True, text=True, timeout=60)


def test_inventory_sync_reads_every_netbox_page_with_pynetbox_and_writes_a_loadable_file(tmp_path):
    out = tmp_path / "netbox-inventory.json"
    with NetBoxServer(DEVICES, token="s3cret-token") as nb:
        proc = _netcache(["inventory", "sync", "--netbox", nb.url, "--token-env", "NB_TOKEN", "--out", str(out),
                          "--page-size", "5"], {"NB_TOKEN": "s3cret-token"})
        assert proc.returncode == 0, proc.stderr
        pages = [p for p in nb.requests if p.startswith("/api/dcim/devices/")]
    assert len(pages) == 3  # 12 devices, 5 a page
    assert "wrote 11 devices" in proc.stdout  # the unnamed device is left out
    inv = load_inventory(out)
    assert inv.devices == {f"leaf-{i:02d}.dc1" for i in range(1, 12)}
    assert inv.site_of("leaf-04.dc1") == "fra1" and inv.device_for_ip("10.0.0.11") == "leaf-11.dc1"


def test_inventory_sync_explains_a_missing_or_refused_token_and_never_prints_it(tmp_path):
    out = tmp_path / "inv.json"
    with NetBoxServer(DEVICES, token="right-token") as nb:
        missing = _netcache(["inventory", "sync", "--netbox", nb.url, "--token-env", "NB_TOKEN", "--out", str(out)], {})
        refused = _netcache(["inventory", "sync", "--netbox", nb.url, "--token-env", "NB_TOKEN", "--out", str(out)],
                            {"NB_TOKEN": "wrong-token"})
    assert missing.returncode != 0 and "NB_TOKEN holds no NetBox token" in missing.stderr
    assert refused.returncode != 0 and "refused" in refused.stderr and "wrong-token" not in refused.stderr
    assert not out.exists()
