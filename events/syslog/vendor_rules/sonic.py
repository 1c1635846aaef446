"""SONiC syslog rules: FRR bgpd, bgpcfgd, swss (orchagent, portmgrd, portsyncd), sonic-utilities.

As forwarded by SONiC's rsyslog template (severity word before the tag)::

    <133>Jun  5 10:00:00 sonic-leaf1 NOTICE swss#orchagent: :- updatePortOperStatus: Port Ethernet4 oper state set from up to down
    <30>Jun  5 10:00:00 sonic-leaf1 INFO bgp#bgpd[51]: %ADJCHANGE: neighbor 10.0.0.57(ARISTA01T1) in vrf default Down Peer closed the session
"""

VENDOR = "sonic"

_NBR = r"neighbor (?P<neighbor>[^\s(]+)(?:\((?P<_desc>[^)]*)\))?(?: in vrf (?P<vrf>\S+))?"

RULES = [
    # FRR (bgpd): %ADJCHANGE: neighbor 10.0.0.57(ARISTA01T1) in vrf default Up
    {"key": "ADJCHANGE", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": _NBR + r" Up\b"},
    {"key": "ADJCHANGE", "type": "bgp_down", "const": {"old_state": "Established"},
     "pattern": _NBR + r" Down\s*(?P<reason>.*?)\s*$"},
    # orchagent: updatePortOperStatus: Port Ethernet4 oper state set from up to down
    {"key": "ORCHAGENT", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": r"updatePortOperStatus: Port (?P<interface>\S+) oper state set from (?P<_old>\w+) to (?P<state>up|down)"},
    # portmgrd: doTask: Configure Ethernet4 admin status to down
    {"key": "PORTMGRD", "type": "interface_flap", "const": {"layer": "admin"},
     "pattern": r"doTask: Configure (?P<interface>\S+) admin status to (?P<state>up|down)"},
    # portsyncd: onMsg: nlmsg type:16 key:Ethernet4 admin:1 oper:0 addr:... ifindex:...
    {"key": "PORTSYNCD", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": r"onMsg: nlmsg type:\d+ key:(?P<interface>\S+) admin:1 oper:(?P<state>[01])\b"},
    # sonic-utilities: 'reload' executing with command: config reload -y   /   'load_minigraph' executing...
    {"key": "CONFIG", "type": "config_change",
     "pattern": r"'(?P<method>reload|load|load_minigraph|load_mgmt_config|replace|apply-patch|override-config-table)' executing"},
    # bgpcfgd: Peer 'default|10.0.0.57' admin state is set to 'down'
    {"key": "BGPCFGD", "type": "bgp_down", "const": {"reason": "admin shutdown"},
     "pattern": r"Peer '(?:(?P<vrf>[^|']+)\|)?(?P<neighbor>[^']+)' admin state is set to 'down'"},
    # bgpcfgd: Peer 'default|10.0.0.57' has been added
    {"key": "BGPCFGD", "type": "config_change", "const": {"method": "bgpcfgd"},
     "pattern": r"Peer '(?:[^|']+\|)?[^']+' has been (?:added|removed|scheduled to remove)"},
]
