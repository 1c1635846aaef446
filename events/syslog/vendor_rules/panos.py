"""Palo Alto PAN-OS syslog rules (CSV system and config logs, from the PAN-OS System Log Reference).

SYSTEM logs are keyed ``PANOS-SYSTEM-<EVENT ID>`` and matched on their description; CONFIG logs
``PANOS-CONFIG-<COMMAND>`` and matched on ``host=... command=... admin=... client=... result=...``::

    <14>Nov 28 03:41:07 pa-01 1,2026/11/28 03:41:07,012801000001,SYSTEM,routing,0,2026/11/28 03:41:07,,routed-BGP-peer-left-established,ISP-1,0,0,general,high,"BGP peer session left established state. peer name: ISP-1, peer IP: 192.0.2.1.",...
"""

from typing import Any

VENDOR = "panos"

_PEER = r".*?peer IP: (?P<neighbor>[\d.:a-fA-F]+?)\.?(?:,|\s|$)"

RULES: list[dict[str, Any]] = [
    # routed-BGP-peer-enter-established: BGP peer session enters established state. peer name: ISP-1, peer IP: 192.0.2.1.
    {"key": "PANOS-SYSTEM-ROUTED-BGP-PEER-ENTER-ESTABLISHED", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": _PEER},
    # routed-BGP-peer-left-established: BGP peer session left established state. peer name: ISP-1, peer IP: 192.0.2.1.
    {"key": "PANOS-SYSTEM-ROUTED-BGP-PEER-LEFT-ESTABLISHED", "type": "bgp_down", "const": {"old_state": "Established"},
     "pattern": _PEER},
    # routed-BGP-peer-prefix-exceeded: BGP peer advertised more than maximum allowed prefixes. peer name: ISP-1, peer IP: 192.0.2.1.
    {"key": "PANOS-SYSTEM-ROUTED-BGP-PEER-PREFIX-EXCEEDED", "type": "bgp_down",
     "const": {"reason": "maximum prefix limit exceeded"}, "pattern": _PEER},
    # routed-BGP-peer-restarted: Initiated graceful-restart with a BGP peer. peer name: ISP-1, peer IP: 192.0.2.1.
    {"key": "PANOS-SYSTEM-ROUTED-BGP-PEER-RESTARTED", "type": "bgp_state_change",
     "const": {"reason": "graceful restart"}, "pattern": _PEER},
    # routed-OSPF-neighbor-down: OSPF adjacency with neighbor has gone down. interface ae5.54, neighbor 10.0.0.2
    {"key": "PANOS-SYSTEM-ROUTED-OSPF-NEIGHBOR-DOWN", "type": "ospf_adjacency", "const": {"new_state": "Down"},
     "pattern": r".*?interface (?P<interface>[^,\s]+), neighbor (?P<neighbor>[\d.]+)"},
    # routed-OSPF-neighbor-full: OSPF full adjacency established with neighbor. interface ethernet1/2, neighbor 10.0.0.2
    {"key": "PANOS-SYSTEM-ROUTED-OSPF-NEIGHBOR-FULL", "type": "ospf_adjacency", "const": {"new_state": "Full"},
     "pattern": r".*?interface (?P<interface>[^,\s]+), neighbor (?P<neighbor>[\d.]+)"},
    # session-state-change (bfd): BFD state changed to Down for BFD session BFD-ISP1 to neighbor 192.0.2.1 on interface ethernet1/1. Protocol: BGP
    {"key": "PANOS-SYSTEM-SESSION-STATE-CHANGE", "type": "bfd_session",
     "pattern": r"BFD state changed to (?P<state>Up|Down|AdminDown|Init)\b.*? to neighbor (?P<neighbor>[\d.:a-fA-F]+?)"
                r"(?: on interface (?P<interface>[^.\s]+(?:\.\d+)?))?\.?(?:\s|$)"},
    # link-change (port): Port ethernet1/3: Down 1Gb/s-full duplex  /  Port ethernet1/3: Up 1Gb/s-full duplex
    {"key": "PANOS-SYSTEM-LINK-CHANGE", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": r"Port (?P<interface>\S+?): (?P<state>Up|Down)\b"},
    # commit (general): Commit job succeeded / Committed by admin
    {"key": "PANOS-SYSTEM-COMMIT", "type": "config_change", "const": {"method": "commit"},
     "pattern": r"(?i).*?(?:succeeded|success|completed)"},
    # CONFIG log: host=10.1.1.1 command=set admin=admin client=Web result=Succeeded
    {"key": "PANOS-CONFIG-SET", "type": "config_change", "const": {"method": "api"},
     "pattern": r"host=(?P<source_address>\S*) command=\S+ admin=(?P<user>\S+) client=\S* result=Succeeded"},
    {"key": "PANOS-CONFIG-EDIT", "type": "config_change", "const": {"method": "api"},
     "pattern": r"host=(?P<source_address>\S*) command=\S+ admin=(?P<user>\S+) client=\S* result=Succeeded"},
    {"key": "PANOS-CONFIG-DELETE", "type": "config_change", "const": {"method": "api"},
     "pattern": r"host=(?P<source_address>\S*) command=\S+ admin=(?P<user>\S+) client=\S* result=Succeeded"},
    {"key": "PANOS-CONFIG-COMMIT", "type": "config_change", "const": {"method": "commit"},
     "pattern": r"host=(?P<source_address>\S*) command=\S+ admin=(?P<user>\S+) client=\S* result=(?:Succeeded|Submitted)"},
    {"key": "PANOS-CONFIG-LOAD", "type": "config_change", "const": {"method": "cli", "kind": "replace"},
     "pattern": r"host=(?P<source_address>\S*) command=\S+ admin=(?P<user>\S+) client=\S* result=Succeeded"},
    {"key": "PANOS-CONFIG-REVERT", "type": "config_change", "const": {"method": "cli", "kind": "rollback"},
     "pattern": r"host=(?P<source_address>\S*) command=\S+ admin=(?P<user>\S+) client=\S* result=Succeeded"},
    # PAN-OS 10.1+ wording: "OSPF neighbor 10.255.7.1 entered full state on interface ethernet1/2, virtual router default"
    {"key": "PANOS-SYSTEM-ROUTED-OSPF-NEIGHBOR-FULL", "type": "ospf_adjacency", "const": {"new_state": "Full"},
     "pattern": r"OSPF neighbor (?P<neighbor>[\d.]+) entered full state on interface (?P<interface>[^,\s]+)"},
    {"key": "PANOS-SYSTEM-ROUTED-OSPF-NEIGHBOR-DOWN", "type": "ospf_adjacency", "const": {"new_state": "Down"},
     "pattern": r"OSPF neighbor (?P<neighbor>[\d.]+) (?:went|changed to|entered) down(?: state)? on interface (?P<interface>[^,\s]+)"},
    # general: "Configuration saved to running-config.xml by admin"  (save config to <file>)
    {"key": "PANOS-SYSTEM-GENERAL", "type": "config_change", "const": {"method": "cli", "kind": "saved"},
     "pattern": r"Configuration saved to (?P<commit_id>\S+) by (?P<user>\S+)"},
    # restart (general): "The system is restarting: reboot requested by admin"
    {"key": "PANOS-SYSTEM-RESTART", "type": "device_reboot",
     "pattern": r"The system is restarting:? ?(?P<reason>.*?)\s*$"},
    # process-restart (general): "routed process restarted after exit"
    {"key": "PANOS-SYSTEM-PROCESS-RESTART", "type": "process_restart",
     "pattern": r"(?P<process>[\w-]+) process restarted(?: (?P<reason>.*?))?\s*$"},
]

# PAN-OS 10.1+ names the peer "ISP-A(id:1) (203.0.113.1)" and ends a left-established line with ", reason: ...".
_PEER_10 = r".*?peer \S+ \((?P<neighbor>[\d.:a-fA-F]+)\)(?:.*?, reason: (?P<reason>.+?))?\s*$"
RULES += [{**rule, "pattern": _PEER_10} for rule in list(RULES) if rule["pattern"] is _PEER]
