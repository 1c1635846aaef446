"""Cisco IOS / IOS-XE syslog rules (formats as in napalm-logs' ios tests and Cisco's message guides).

    <189>117: rtr-001: May  9 12:49:27.098: %LINK-5-CHANGED: Interface GigabitEthernet2, changed state to administratively down
"""

VENDOR = "cisco_ios"

_IF = r"(?P<interface>[^,\s]+)"

RULES = [
    # %SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.31.0.24)
    {"key": "SYS-CONFIG_I", "type": "config_change", "const": {"method": "cli"},
     "pattern": r"Configured from (?P<_from>\S+) by (?P<user>\S+?)(?: on (?P<_line>\S+?))?"
                r"(?: \((?P<source_address>[^)]+)\))?\s*$"},
    # %SYS-5-RESTART: System restarted --
    {"key": "SYS-RESTART", "type": "device_reboot", "const": {"reason": "system restarted"},
     "pattern": r"System restarted"},
    # %SYS-5-RELOAD: Reload requested by admin on console. Reload Reason: Reload Command.
    {"key": "SYS-RELOAD", "type": "device_reboot",
     "pattern": r"Reload requested(?: by (?P<_by>\S+?)(?: on (?P<_line>\S+?))?)?\.?"
                r"(?:\s+Reload [Rr]eason: (?P<reason>.+?)\.?)?\s*$"},
    # %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down
    {"key": "LINK-UPDOWN", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": rf"Interface {_IF}, changed state to (?P<state>up|down)"},
    # %LINK-5-CHANGED: Interface GigabitEthernet2, changed state to administratively down
    {"key": "LINK-CHANGED", "type": "interface_flap", "const": {"layer": "admin"},
     "pattern": rf"Interface {_IF}, changed state to administratively (?P<state>down|up)"},
    # %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/1, changed state to down
    {"key": "LINEPROTO-UPDOWN", "type": "interface_flap", "const": {"layer": "lineproto"},
     "pattern": rf"Line protocol on Interface {_IF}, changed state to (?P<state>up|down)"},
    # %BGP-5-ADJCHANGE: neighbor 1.2.3.4 vpn vrf BLUE Up
    {"key": "BGP-ADJCHANGE", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": r"neighbor (?P<neighbor>\S+)(?: vpn vrf (?P<vrf>\S+))? Up\b"},
    # %BGP-5-ADJCHANGE: neighbor 1.2.3.4 vpn vrf BLUE Down Admin. shutdown
    {"key": "BGP-ADJCHANGE", "type": "bgp_down", "const": {"old_state": "Established"},
     "pattern": r"neighbor (?P<neighbor>\S+)(?: vpn vrf (?P<vrf>\S+))? Down\s*(?P<reason>.*?)\s*$"},
    # %BGP-3-NOTIFICATION: sent to neighbor 10.0.0.2 4/0 (hold time expired) 0 bytes
    # %BGP-3-NOTIFICATION: received from neighbor 10.0.0.2 active 6/4 (Administrative Reset) 0 bytes
    {"key": "BGP-NOTIFICATION", "type": "bgp_down",
     "pattern": r"(?:sent to|received from) neighbor (?P<neighbor>\S+)(?: (?:active|passive))?"
                r"(?: (?P<_code>\d+/\d+))? \((?P<reason>[^)]*)\)"},
    # %OSPF-5-ADJCHG: Process 1, Nbr 172.16.46.4 on GigabitEthernet2.45 from INIT to DOWN, Neighbor Down: Dead timer expired
    {"key": "OSPF-ADJCHG", "type": "ospf_adjacency",
     "pattern": r"Process (?P<_process>\S+), Nbr (?P<neighbor>\S+) on (?P<interface>\S+) "
                r"from (?P<old_state>[\w/-]+) to (?P<new_state>[\w/-]+),\s*(?P<reason>.*?)\s*$"},
    # %CLNS-5-ADJCHANGE: ISIS: Adjacency to rtr-002 (GigabitEthernet0/1) Up, new adjacency
    {"key": "CLNS-ADJCHANGE", "type": "isis_adjacency",
     "pattern": r"ISIS: Adjacency to (?P<neighbor>\S+) \((?P<interface>[^)]+)\)(?: \((?P<level>L\d)\))? "
                r"(?P<new_state>Up|Down|Init)(?:,\s*(?P<reason>.*?))?\s*$"},
]
