"""Arista EOS syslog rules (formats as in napalm-logs' eos tests).

    <165>Feb  6 09:42:36 veos01 Ebra: %LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet28, changed state to down
"""

VENDOR = "arista_eos"

RULES = [
    {"key": "LINEPROTO-UPDOWN", "type": "interface_flap", "const": {"layer": "lineproto"},
     "pattern": r"Line protocol on Interface (?P<interface>[^,\s]+), changed state to (?P<state>up|down)"},
    # %BGP-5-ADJCHANGE: peer 192.0.2.2 (VRF default AS 12345) old state OpenConfirm event RecvKeepAlive new state Established
    {"key": "BGP-ADJCHANGE", "type": "bgp_up",
     "pattern": r"peer (?P<neighbor>\S+) \((?:VRF (?P<vrf>\S+) )?AS (?P<remote_as>\d+)\) "
                r"old state (?P<old_state>\w+) event (?P<reason>\S+) new state (?P<new_state>Established)\b"},
    # %BGP-5-ADJCHANGE: peer 192.0.2.2 (VRF default AS 12345) old state Established event AdminReset new state Idle
    {"key": "BGP-ADJCHANGE", "type": "bgp_down",
     "pattern": r"peer (?P<neighbor>\S+) \((?:VRF (?P<vrf>\S+) )?AS (?P<remote_as>\d+)\) "
                r"old state (?P<old_state>Established) event (?P<reason>\S+) new state (?P<new_state>\w+)"},
    # %SYS-5-CONFIG_I: Configured from console by admin on vty3 (172.16.0.1)
    {"key": "SYS-CONFIG_I", "type": "config_change", "const": {"method": "cli"},
     "pattern": r"Configured from (?P<_from>\S+) by (?P<user>\S+?)(?: on (?P<_line>\S+?))?"
                r"(?: \((?P<source_address>[^)]+)\))?\s*$"},
    # %SYS-5-SYSTEM_RESTARTED: System restarted
    {"key": "SYS-SYSTEM_RESTARTED", "type": "device_reboot", "const": {"reason": "system restarted"},
     "pattern": r"System restarted"},
]
