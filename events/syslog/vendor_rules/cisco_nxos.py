"""Cisco NX-OS syslog rules (formats as in napalm-logs' nxos tests and the NX-OS message guide).

    <190>2018 Apr 20 13:15:07 nexus-switch %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/33 is down (Link failure)
"""

VENDOR = "cisco_nxos"

RULES = [
    # %ETHPORT-5-IF_DOWN_ADMIN_DOWN: Interface Ethernet1/1 is down (Administratively down)
    {"key": "ETHPORT-IF_DOWN_ADMIN_DOWN", "type": "interface_flap", "const": {"layer": "admin", "state": "down"},
     "pattern": r"Interface (?P<interface>\S+) is down(?: \((?P<reason>.*)\))?"},
    # %ETHPORT-5-IF_DOWN_LINK_FAILURE / _ERROR_DISABLED / _CFG_CHANGE / ...: Interface X is down (reason)
    {"key": "ETHPORT-IF_DOWN_*", "type": "interface_flap", "const": {"layer": "link", "state": "down"},
     "pattern": r"Interface (?P<interface>\S+) is down(?: \((?P<reason>.*)\))?"},
    # %ETHPORT-5-IF_UP: Interface Ethernet1/33 is up in mode trunk
    {"key": "ETHPORT-IF_UP", "type": "interface_flap", "const": {"layer": "link", "state": "up"},
     "pattern": r"Interface (?P<interface>\S+) is up\b"},
    # %BGP-5-ADJCHANGE:  bgp-65000 [5271] (default) neighbor 10.1.1.1 Up
    {"key": "BGP-ADJCHANGE", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": r"\s*bgp-(?P<_asn>\S+) \[\d+\]\s+(?:\((?P<vrf>[^)]+)\)\s+)?neighbor (?P<neighbor>\S+) Up\b"},
    # %BGP-5-ADJCHANGE:  bgp-65000 [5271] (default) neighbor 10.1.1.1 Down - sent:  holdtimer expired error
    {"key": "BGP-ADJCHANGE", "type": "bgp_down", "const": {"old_state": "Established"},
     "pattern": r"\s*bgp-(?P<_asn>\S+) \[\d+\]\s+(?:\((?P<vrf>[^)]+)\)\s+)?neighbor (?P<neighbor>\S+) Down"
                r"(?:\s*-\s*(?P<reason>.*?))?\s*$"},
    # %VSHD-5-VSHD_SYSLOG_CONFIG_I: Configured from vty by admin on 10.1.1.1@pts/0
    {"key": "VSHD-VSHD_SYSLOG_CONFIG_I", "type": "config_change", "const": {"method": "cli"},
     "pattern": r"Configured from (?P<_from>\S+) by (?P<user>\S+?)(?: on (?P<source_address>[^@\s]+)(?:@(?P<_tty>\S+))?)?\s*$"},
]
