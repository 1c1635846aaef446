"""Juniper Junos syslog rules (formats as in napalm-logs' junos tests).

    <28>Jun 21 14:03:12  vmx01 rpd[2902]: RPD_BGP_NEIGHBOR_STATE_CHANGED: BGP peer 1.1.1.1 (External AS 2222) changed state from Established to Idle (event AnEvent) (instance master)
"""

VENDOR = "junos"

_PEER = r"BGP peer (?P<neighbor>\S+) \((?:External|Internal) AS (?P<remote_as>\d+)\) changed state from "
_TAIL = r"(?: \(event (?P<reason>[^)]*)\))?(?: \(instance (?P<vrf>[^)]+)\))?"
_OSPF = (r"OSPF neighbor (?P<neighbor>\S+) \(realm \S+ (?P<interface>\S+) area (?P<area>\S+)\) "
         r"state changed from (?P<old_state>\w+) to (?P<new_state>\w+)(?: due to (?P<reason>.*?))?\s*$")

RULES = [
    # SNMP_TRAP_LINK_DOWN: ifIndex 502, ifAdminStatus down(2), ifOperStatus down(2), ifName xe-0/0/0
    {"key": "SNMP_TRAP_LINK_DOWN", "type": "interface_flap", "const": {"layer": "admin", "state": "down"},
     "pattern": r"ifIndex \d+, ifAdminStatus down\(\d\), ifOperStatus \w+\(\d\), ifName (?P<interface>\S+)"},
    {"key": "SNMP_TRAP_LINK_DOWN", "type": "interface_flap", "const": {"layer": "link", "state": "down"},
     "pattern": r"ifIndex \d+, ifAdminStatus \w+\(\d\), ifOperStatus \w+\(\d\), ifName (?P<interface>\S+)"},
    {"key": "SNMP_TRAP_LINK_UP", "type": "interface_flap", "const": {"layer": "link", "state": "up"},
     "pattern": r"ifIndex \d+, ifAdminStatus \w+\(\d\), ifOperStatus \w+\(\d\), ifName (?P<interface>\S+)"},
    {"key": "RPD_BGP_NEIGHBOR_STATE_CHANGED", "type": "bgp_up",
     "pattern": _PEER + r"(?P<old_state>\w+) to (?P<new_state>Established)" + _TAIL},
    {"key": "RPD_BGP_NEIGHBOR_STATE_CHANGED", "type": "bgp_down",
     "pattern": _PEER + r"(?P<old_state>Established) to (?P<new_state>\w+)" + _TAIL},
    # UI_COMMIT: User 'luke' requested 'commit' operation (comment: hello)
    {"key": "UI_COMMIT", "type": "config_change",
     "pattern": r"User '(?P<user>[^']+)' requested '(?P<method>[^']+)' operation"},
    # UI_COMMIT_COMPLETED: commit complete
    {"key": "UI_COMMIT_COMPLETED", "type": "config_change", "const": {"method": "commit"},
     "pattern": r".*commit complete"},
    # RPD_OSPF_NBRDOWN: OSPF neighbor 10.0.0.2 (realm ospf-v2 ge-0/0/0.0 area 0.0.0.0) state changed from Full to Down due to KillNbr (event reason: interface went down)
    {"key": "RPD_OSPF_NBRDOWN", "type": "ospf_adjacency", "pattern": _OSPF},
    {"key": "RPD_OSPF_NBRUP", "type": "ospf_adjacency", "pattern": _OSPF},
    # RPD_ISIS_ADJDOWN: IS-IS lost L2 adjacency to lele on ge-0/0/1.0, reason: Aged Out
    {"key": "RPD_ISIS_ADJDOWN", "type": "isis_adjacency", "const": {"new_state": "Down"},
     "pattern": r"IS-IS lost (?P<level>L\d) adjacency to (?P<neighbor>\S+) on (?P<interface>[^,\s]+)(?:, reason: (?P<reason>.*?))?\s*$"},
    # RPD_ISIS_ADJUP: IS-IS new L2 adjacency to lele on ge-0/0/1.0
    {"key": "RPD_ISIS_ADJUP", "type": "isis_adjacency", "const": {"new_state": "Up"},
     "pattern": r"IS-IS new (?P<level>L\d) adjacency to (?P<neighbor>\S+) on (?P<interface>[^,\s]+)"},
]
