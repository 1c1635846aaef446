"""SONiC syslog rules: swss (orchagent, portmgrd, portsyncd), teamd, bgpcfgd, sonic-utilities, supervisord.

FRR's daemons in SONiC's bgp container (``bgp#bgpd``) are read by the ``frr`` table. As forwarded by
SONiC's rsyslog template (severity word before the tag)::

    <133>Jun  5 10:00:00 sonic-leaf1 NOTICE swss#orchagent: :- updatePortOperStatus: Port Ethernet4 oper state set from up to down
"""

VENDOR = "sonic"

RULES = [
    # orchagent: updatePortOperStatus: Port Ethernet4 oper state set from up to down
    {"key": "ORCHAGENT", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": r"updatePortOperStatus: Port (?P<interface>\S+) oper state set from (?P<_old>\w+) to (?P<state>up|down)"},
    # orchagent: doPortTask: Set port Ethernet4 oper status to down
    {"key": "ORCHAGENT", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": r"\w+: Set port (?P<interface>\S+) oper status to (?P<state>up|down)"},
    # orchagent: setHostIntfsOperStatus: Set operation status DOWN to host interface Ethernet4
    {"key": "ORCHAGENT", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": r"setHostIntfsOperStatus: Set operation status (?P<state>UP|DOWN) to host interface (?P<interface>\S+)"},
    # orchagent: doPortTask: Set port Ethernet4 admin status to down
    {"key": "ORCHAGENT", "type": "interface_flap", "const": {"layer": "admin"},
     "pattern": r"\w+: Set port (?P<interface>\S+) admin status to (?P<state>up|down)"},
    # orchagent: doPortTask: Set port Ethernet4 speed from 100000 to 40000
    {"key": "ORCHAGENT", "type": "interface_change", "const": {"setting": "speed"},
     "pattern": r"\w+: Set port (?P<interface>\S+) speed (?:from \d+ )?to (?P<value>\d+)"},
    # portmgrd: doTask: Configure Ethernet4 admin status to down
    {"key": "PORTMGRD", "type": "interface_flap", "const": {"layer": "admin"},
     "pattern": r"doTask: Configure (?P<interface>\S+) admin status to (?P<state>up|down)"},
    # portmgrd: doTask: Configure Ethernet4 MTU to 9100
    {"key": "PORTMGRD", "type": "interface_change", "const": {"setting": "mtu"},
     "pattern": r"doTask: Configure (?P<interface>\S+) MTU to (?P<value>\d+)"},
    # portsyncd: onMsg: nlmsg type:16 key:Ethernet4 admin:1 oper:0 addr:... ifindex:...
    {"key": "PORTSYNCD", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": r"onMsg: nlmsg type:\d+ key:(?P<interface>\S+) admin:1 oper:(?P<state>[01])\b"},
    # teamd_PortChannel0001: Ethernet0: Changed port state: "current" -> "expired"  (libteam's LACP runner)
    {"key": "TEAMD*", "type": "lag_member", "const": {"state": "down", "reason": "LACP timeout"},
     "pattern": r'(?P<interface>Ethernet\d+): Changed port state: "\w+" -> "(?:expired|defaulted|disabled)"'},
    {"key": "TEAMD*", "type": "lag_member", "const": {"state": "up"},
     "pattern": r'(?P<interface>Ethernet\d+): Changed port state: "\w+" -> "current"'},
    # sonic-utilities: 'reload' executing with command: config reload -y   /   'load_minigraph' executing...
    {"key": "CONFIG", "type": "config_change", "const": {"kind": "replace"},
     "pattern": r"'(?P<method>reload|load_minigraph|replace|override-config-table)' executing"},
    {"key": "CONFIG", "type": "config_change",
     "pattern": r"'(?P<method>load|load_mgmt_config|apply-patch)' executing"},
    {"key": "CONFIG", "type": "config_change", "const": {"kind": "saved"},
     "pattern": r"'(?P<method>save)' executing"},
    {"key": "CONFIG", "type": "config_change", "const": {"kind": "rollback"},
     "pattern": r"'(?P<method>rollback)' executing(?: with command: config rollback (?P<commit_id>\S+))?"},
    # bgpcfgd: Peer 'default|10.0.0.57' admin state is set to 'down'
    {"key": "BGPCFGD", "type": "bgp_down", "const": {"reason": "admin shutdown"},
     "pattern": r"Peer '(?:(?P<vrf>[^|']+)\|)?(?P<neighbor>[^']+)' admin state is set to 'down'"},
    # bgpcfgd: Peer 'default|10.0.0.57' has been added
    {"key": "BGPCFGD", "type": "config_change", "const": {"method": "bgpcfgd"},
     "pattern": r"Peer '(?:[^|']+\|)?[^']+' has been (?:added|removed|scheduled to remove)"},
    # process-reboot-cause: Previous reboot cause: User issued 'reboot' command [User: admin, Time: ...]
    {"key": "PROCESS-REBOOT-CAUSE", "type": "device_reboot",
     "pattern": r"Previous reboot cause: (?P<reason>.*?)\s*$"},
    # supervisord: exited: orchagent (exit status 1; not expected)
    {"key": "SUPERVISORD", "type": "process_restart",
     "pattern": r"exited: (?P<process>\S+) \((?P<reason>[^)]*not expected)\)"},
    # orchagent: :- addLagMember: Add member Ethernet0 to LAG PortChannel0001 lid:2000000000a9b lmid:1b000000000a9c
    {"key": "ORCHAGENT", "type": "lag_member", "const": {"state": "up"},
     "pattern": r"addLagMember: Add member (?P<interface>\S+) to LAG (?P<lag>\S+)"},
    # orchagent: :- removeLagMember: Remove member Ethernet4 from LAG PortChannel0001 lid:... lmid:...
    {"key": "ORCHAGENT", "type": "lag_member", "const": {"state": "down"},
     "pattern": r"removeLagMember: Remove member (?P<interface>\S+) from LAG (?P<lag>\S+)"},
    # the reboot scripts (reboot, warm-reboot, fast-reboot, soft-reboot) log as "admin":
    # User issued 'warm-reboot' command [User: admin, Time: Wed 02 Dec 2026 01:21:09 AM UTC]
    {"key": "ADMIN", "type": "device_reboot",
     "pattern": r"User issued '(?P<reason>(?:warm-|fast-|soft-|cold-)?reboot)' command"},
    # systemd[1]: bgp.service: Scheduled restart job, restart counter is at 1.  (SONiC's containers, any Linux NOS)
    {"key": "SYSTEMD", "type": "process_restart",
     "pattern": r"(?P<process>[\w@.-]+?)\.service: Scheduled restart job(?:, (?P<reason>restart counter is at \d+))?"},
]
