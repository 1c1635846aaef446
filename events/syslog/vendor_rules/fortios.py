"""Fortinet FortiOS syslog rules (key=value logs, from the FortiOS Log Message Reference).

The key is ``FORTIOS-`` + the ``logdesc`` in upper case with ``_`` for spaces; the rules match the
key=value text (values quoted). Routing logs carry the routing daemon's own line in ``msg``
(``msg="BGP: %BGP-5-ADJCHANGE: neighbor 10.0.0.2 Up"``) and are read by the Cisco IOS table::

    <189>date=2026-11-28 time=03:41:07 devname="fw-01" devid="FG100F..." logid="0100032102" type="event" subtype="system" ...
"""

from typing import Any

VENDOR = "fortios"


def _kv(name: str, group: str | None = None) -> str:
    return rf'(?=.*?\b{name}="(?P<{group or name}>[^"]*)")'


RULES: list[dict[str, Any]] = [
    # logdesc="Interface status changed" action="interface-stat-change" status="DOWN" msg="Interface port1 is down"
    {"key": "FORTIOS-INTERFACE_STATUS_CHANGED", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": r'(?=.*?\bmsg="(?:Interface )?(?P<interface>[\w./-]+) (?:link )?(?:is |was turned |status changed to )?'
                r'(?P<state>up|down|UP|DOWN|Up|Down)\b)'},
    # logdesc="Link monitor status" ... msg="Link Monitor changed state from alive to dead, interface=port1, server=8.8.8.8"
    # is a probe result, not a link state: no rule.
    # logdesc="Object attribute configured" user="admin" ui="GUI(10.1.1.1)" action="Edit" cfgpath="system.interface" cfgobj="port1" msg="Edit system.interface port1"
    {"key": "FORTIOS-OBJECT_ATTRIBUTE_CONFIGURED", "type": "config_change", "const": {"method": "cli"},
     "pattern": _kv("user") + r'(?=.*?\bui="(?P<_ui>[^"(]*)(?:\((?P<source_address>[^)"]*)\))?")?'},
    {"key": "FORTIOS-OBJECT_CONFIGURED", "type": "config_change", "const": {"method": "cli"},
     "pattern": _kv("user") + r'(?=.*?\bui="(?P<_ui>[^"(]*)(?:\((?P<source_address>[^)"]*)\))?")?'},
    # logdesc="Configuration changed" user="admin" ui="ssh(10.1.1.1)" msg="Configuration is changed in the admin session"
    {"key": "FORTIOS-CONFIGURATION_CHANGED", "type": "config_change", "const": {"method": "cli"},
     "pattern": r"(?:" + _kv("user") + r")?"},
    # logdesc="System configuration restored" / "Configuration restored": a backup was loaded over the config
    {"key": "FORTIOS-*CONFIGURATION_RESTORED", "type": "config_change", "const": {"method": "cli", "kind": "replace"},
     "pattern": r"(?:" + _kv("user") + r")?"},
    # logdesc="Device rebooted" / "System restart" action="reboot" msg="User admin rebooted the device from ssh(10.1.1.1)."
    {"key": "FORTIOS-DEVICE_REBOOTED", "type": "device_reboot",
     "pattern": r'(?=.*?\bmsg="(?P<reason>[^"]*)")?'},
    # logdesc="BGP neighbor status changed" msg="BGP peer 10.0.0.2 changed state from Established to Idle"
    {"key": "FORTIOS-BGP_NEIGHBOR_STATUS_CHANGED", "type": "bgp_up",
     "pattern": r'(?=.*?\bmsg="[^"]*?(?:peer|neighbor) (?P<neighbor>[\d.:a-fA-F]+)[^"]*? to (?P<new_state>Established)\b)'},
    {"key": "FORTIOS-BGP_NEIGHBOR_STATUS_CHANGED", "type": "bgp_down",
     "pattern": r'(?=.*?\bmsg="[^"]*?(?:peer|neighbor) (?P<neighbor>[\d.:a-fA-F]+)[^"]*? from (?P<old_state>Established) to (?P<new_state>\w+))'},
    {"key": "FORTIOS-BGP_NEIGHBOR_STATUS_CHANGED", "type": "bgp_state_change",
     "pattern": r'(?=.*?\bmsg="[^"]*?(?:peer|neighbor) (?P<neighbor>[\d.:a-fA-F]+)[^"]*? from (?P<old_state>\w+) to (?P<new_state>\w+))'},
    # logdesc="Routing log" msg="OSPF: AdjChg: Nbr 10.255.9.2 on port2:10.9.0.1: Full -> Deleted (KillNbr)"
    {"key": "FORTIOS-ROUTING_LOG", "type": "ospf_adjacency",
     "pattern": r'(?=.*?\bmsg="OSPF: AdjChg: Nbr (?P<neighbor>[\d.]+) on (?P<interface>[^:\s"]+)(?::[^:\s"]+)?: '
                r'(?P<old_state>[\w/-]+) -> (?P<new_state>[\w/-]+)(?: \((?P<reason>[^)"]*)\))?)'},
]

# logdesc="Attribute configured" (FortiOS 7.x name of "Object attribute configured"): same fields
RULES += [{**rule, "key": "FORTIOS-ATTRIBUTE_CONFIGURED"} for rule in RULES
          if rule["key"] == "FORTIOS-OBJECT_ATTRIBUTE_CONFIGURED"]
