"""Arista EOS syslog rules (formats from the EOS System Message Guide and napalm-logs' eos profiles).

    <165>Feb  6 09:42:36 veos01 Ebra: %LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet28, changed state to down

EOS prints an interface's description after its name: ``Interface Ethernet1 (to spine-1), changed state``.
"""

VENDOR = "arista_eos"

_IF = r"(?P<interface>[^,\s(]+)(?: \([^)]*\))?"
_PEER = r"peer (?P<neighbor>\S+) \((?:VRF (?P<vrf>\S+) )?AS (?P<remote_as>\d+)\) "
_CFG_BY = (r"(?P<_from>\S+) by (?P<user>\S+?)(?: on (?P<_line>\S+?))?"
           r"(?: \((?P<source_address>[^)]+)\))?\.?\s*$")
_ISIS = (r"(?:IS-IS (?:\(\S+\)|instance \S+):? )?Adjacency (?:to|with) (?P<neighbor>\S+) "
         r"(?:\((?P<interface>[^)]+)\) )?(?:\(?(?P<level>L\d|level-\d)\)? )?"
         r"(?:changed from (?P<old_state>\w+) to |is |went )?(?P<new_state>Up|Down|Init|UP|DOWN|INIT)\b"
         r"(?:[,.:;]?\s*(?:reason:? )?(?P<reason>.*?))?\s*$")

RULES = [
    {"key": "LINEPROTO-UPDOWN", "type": "interface_flap", "const": {"layer": "lineproto"},
     "pattern": rf"Line protocol on Interface {_IF}, changed state to (?P<state>up|down)"},
    # %LINK-3-UPDOWN: Interface Ethernet1 (to spine-1), changed state to down
    {"key": "LINK-UPDOWN", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": rf"Interface {_IF}, changed state to (?P<state>up|down)"},
    # %LINK-5-CHANGED: Interface Ethernet1, changed state to administratively down
    {"key": "LINK-CHANGED", "type": "interface_flap", "const": {"layer": "admin"},
     "pattern": rf"Interface {_IF}, changed state to administratively (?P<state>down|up)"},
    # %ETH-4-ERRDISABLE: bpduguard error detected on Ethernet5.
    {"key": "ETH-ERRDISABLE", "type": "interface_flap", "const": {"layer": "link", "state": "down", "err_disabled": True},
     "pattern": r"(?P<reason>\S+) error detected on (?P<interface>[^.,\s]+)"},
    # %LAG-6-MEMBER_ADDED: Interface Ethernet3 joined Port-Channel10  /  %LAG-6-MEMBER_REMOVED: ... left ...
    {"key": "LAG-*", "type": "lag_member", "const": {"state": "up"},
     "pattern": r"Interface (?P<interface>\S+) (?:joined|added to|is now active in) (?P<lag>Port-Channel\d+)"},
    {"key": "LAG-*", "type": "lag_member", "const": {"state": "down"},
     "pattern": r"Interface (?P<interface>\S+) (?:left|removed from|is no longer active in) (?P<lag>Port-Channel\d+)"
                r"(?:[,:;]?\s*(?P<reason>.*?))?\s*$"},
    # %BGP-5-ADJCHANGE: peer 192.0.2.2 (VRF default AS 12345) old state OpenConfirm event RecvKeepAlive new state Established
    {"key": "BGP-ADJCHANGE", "type": "bgp_up",
     "pattern": _PEER + r"old state (?P<old_state>\w+) event (?P<reason>\S+) new state (?P<new_state>Established)\b"},
    # %BGP-5-ADJCHANGE: peer 192.0.2.2 (VRF default AS 12345) old state Established event AdminReset new state Idle
    {"key": "BGP-ADJCHANGE", "type": "bgp_down",
     "pattern": _PEER + r"old state (?P<old_state>Established) event (?P<reason>\S+) new state (?P<new_state>\w+)"},
    # %BGP-5-ADJCHANGE: peer 192.0.2.2 (VRF default AS 12345) old state Active event Stop new state Idle
    {"key": "BGP-ADJCHANGE", "type": "bgp_state_change",
     "pattern": _PEER + r"old state (?P<old_state>\w+) event (?P<reason>\S+) new state (?P<new_state>\w+)"},
    # %BGP-3-NOTIFICATION: sent to neighbor 10.0.0.2 (VRF default AS 65001) 6/4 (Cease/administrative reset) 0 bytes
    {"key": "BGP-NOTIFICATION", "type": "bgp_down",
     "pattern": r"(?:sent to|received from) neighbor (?P<neighbor>\S+) \((?:VRF (?P<vrf>\S+) )?AS (?P<remote_as>\d+)\)"
                r"(?: (?P<_code>\d+/\d+))? \((?P<reason>[^)]*)\)"},
    # %BGP-3-MAXPFXEXCEED: Peer 10.0.0.25 (VRF default AS 65025) exceeded maximum prefix limit 12000 for IPv4 Unicast
    {"key": "BGP-MAXPFXEXCEED", "type": "bgp_down", "const": {"reason": "maximum prefix limit exceeded"},
     "pattern": r"[Pp]eer (?P<neighbor>\S+) \((?:VRF (?P<vrf>\S+) )?AS (?P<remote_as>\d+)\) exceeded maximum prefix"},
    # the Cease NOTIFICATION that follows (Cease/maximum number of prefixes reached) is read above
    # %OSPF-4-OSPF_ADJACENCY_TEARDOWN: NGB 10.0.0.2, interface 10.0.0.1 adjacency dropped: inactivity timer expired, state was: FULL
    {"key": "OSPF-OSPF_ADJACENCY_TEARDOWN", "type": "ospf_adjacency", "const": {"new_state": "DOWN"},
     "pattern": r"NGB (?P<neighbor>\S+), interface (?P<_ifaddr>\S+) adjacency dropped: (?P<reason>.*?),"
                r" state was: (?P<old_state>\w+)"},
    # %OSPF-4-OSPF_ADJACENCY_ESTABLISHED: NGB 10.0.0.2, interface 10.0.0.1 adjacency established
    {"key": "OSPF-OSPF_ADJACENCY_ESTABLISHED", "type": "ospf_adjacency", "const": {"new_state": "FULL"},
     "pattern": r"NGB (?P<neighbor>\S+), interface (?P<_ifaddr>\S+) adjacency established"},
    # %ISIS-4-ISIS_ADJCHG: L1 Neighbor State Change for SystemID 1920.0000.2006 on et7 to DOWN: interface went down ...
    {"key": "ISIS-ISIS_ADJCHG", "type": "isis_adjacency",
     "pattern": r"(?P<level>L\d) Neighbor State Change for SystemID (?P<neighbor>\S+) on (?P<interface>\S+) "
                r"to (?P<new_state>UP|DOWN|INIT|Up|Down|Init)\b(?::\s*(?P<reason>.*?))?\s*$"},
    # %ISIS-5-ADJCHANGE: IS-IS (default): Adjacency to spine-1 (Ethernet1) L2 changed from Up to Down, reason: hold time expired
    {"key": "ISIS-ADJCHANGE", "type": "isis_adjacency", "pattern": _ISIS},
    # %BFD-5-STATE_CHANGE: peer (vrf:default, ip:10.0.0.2, intf:Ethernet1, srcIp:0.0.0.0, type:normal) changed state from Up to Down diag ControlDetectionTimeExpired
    {"key": "BFD-STATE_CHANGE", "type": "bfd_session",
     "pattern": r"peer \(vrf:(?P<vrf>[^,]+), ip:(?P<neighbor>[^,]+), intf:(?P<interface>[^,]+),.*?\) "
                r"changed state from \w+ to (?P<state>Up|Down|AdminDown|Init)(?: diag (?P<reason>\S+))?"},
    # %SYS-5-CONFIG_I: Configured from console by admin on vty3 (172.16.0.1)
    {"key": "SYS-CONFIG_I", "type": "config_change", "const": {"method": "cli"},
     "pattern": r"Configured from " + _CFG_BY},
    # %SYS-5-CONFIG_STARTUP: Startup config saved from system:/running-config by admin on vty3 (10.0.0.1).
    {"key": "SYS-CONFIG_STARTUP", "type": "config_change", "const": {"method": "cli", "kind": "saved"},
     "pattern": r"Startup config saved from " + _CFG_BY},
    # %SYS-5-CONFIG_SESSION_COMMIT_SUCCESS: User admin committed configuration session s1 successfully on vty3 (10.0.0.1)
    {"key": "SYS-CONFIG_SESSION_COMMIT_SUCCESS", "type": "config_change", "const": {"method": "commit"},
     "pattern": r"User (?P<user>\S+) committed configuration session (?P<commit_id>\S+)"},
    # %SYS-5-CONFIG_REPLACE_SUCCESS: User admin replaced the running configuration with flash:base.cfg on vty3
    {"key": "SYS-CONFIG_REPLACE_SUCCESS", "type": "config_change", "const": {"method": "cli", "kind": "replace"},
     "pattern": r"User (?P<user>\S+) replaced the running configuration(?: with (?P<commit_id>\S+))?"},
    # %SYS-5-CONFIG_REPLACE_SUCCESS: Configuration replaced from flash:golden.cfg by admin on vty3 (10.10.5.21).
    {"key": "SYS-CONFIG_REPLACE_SUCCESS", "type": "config_change", "const": {"method": "cli", "kind": "replace"},
     "pattern": r"Configuration replaced from (?P<commit_id>\S+?) by (?P<user>\S+?)(?: on (?P<_line>\S+?))?"
                r"(?: \((?P<source_address>[^)]+)\))?\.?\s*$"},
    # %SYS-5-SYSTEM_RESTARTED: System restarted
    {"key": "SYS-SYSTEM_RESTARTED", "type": "device_reboot", "const": {"reason": "system restarted"},
     "pattern": r"System restarted"},
    # %PROCMGR-6-PROCESS_TERMINATED: 'Ospf' (PID=3321, status=6) has terminated.  (ProcMgr restarts it)
    {"key": "PROCMGR-PROCESS_TERMINATED", "type": "process_restart",
     "pattern": r"'(?P<process>[^']+)' \(PID=\d+(?:, status=(?P<reason>\d+))?\) has terminated"},
    # %PROCMGR-6-PROCESS_RESTART: Restarting 'Bgp' immediately (it had PID=1234)
    {"key": "PROCMGR-PROCESS_RESTART", "type": "process_restart",
     "pattern": r"Restarting '(?P<process>[^']+)'(?P<reason>.*?)\s*$"},
    # %MMODE-5-MAINT_UNIT_STATE_CHANGE: Maintenance unit state changed for unit System. Old State maintenanceModeEnter, New State underMaintenance
    {"key": "MMODE-MAINT_UNIT_STATE_CHANGE", "type": "maintenance", "const": {"state": "entered"},
     "pattern": r".*?unit (?P<profile>[^.\s]+)\.?.*(?:New State|changed state from \w+ to) underMaintenance"},
    {"key": "MMODE-MAINT_UNIT_STATE_CHANGE", "type": "maintenance", "const": {"state": "exited"},
     "pattern": r".*?unit (?P<profile>[^.\s]+)\.?.*(?:New State|changed state from \w+ to) active"},
]
