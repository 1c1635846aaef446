"""Cisco IOS / IOS-XE syslog rules (formats from Cisco's System Message Guides and napalm-logs' ios tests).

    <189>117: rtr-001: May  9 12:49:27.098: %LINK-5-CHANGED: Interface GigabitEthernet2, changed state to administratively down
"""

VENDOR = "cisco_ios"

_IF = r"(?P<interface>[^,\s]+)(?: \([^)]*\))?"
_CFG_BY = (r"(?P<_from>\S+) by (?P<user>\S+?)(?: on (?P<_line>\S+?))?"
           r"(?: \((?P<source_address>[^)]+)\))?\s*$")
_OSPF = (r"Process (?P<_process>\S+),(?: IPv6,)? Nbr (?P<neighbor>\S+) on (?P<interface>\S+)(?: in area (?P<area>\S+))? "
         r"from (?P<old_state>[\w/-]+) to (?P<new_state>[\w/-]+),\s*(?P<reason>.*?)\s*$")

RULES = [
    # %SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.31.0.24)
    {"key": "SYS-CONFIG_I", "type": "config_change", "const": {"method": "cli"},
     "pattern": r"Configured from " + _CFG_BY},
    # %SYS-5-CONFIG_P: Configured programmatically by process iosp_vty_100001_dmi_nesd from console as NETCONF on vty31266
    {"key": "SYS-CONFIG_P", "type": "config_change", "const": {"method": "api"},
     "pattern": r"Configured programmatically by process (?P<_proc>\S+) from \S+ as (?P<user>\S+)"},
    # %SYS-5-CONFIG_NV_I: Nonvolatile storage configured from console by admin on vty0 (10.1.1.1)  (write memory)
    {"key": "SYS-CONFIG_NV_I", "type": "config_change", "const": {"method": "cli", "kind": "saved"},
     "pattern": r"Nonvolatile storage configured from " + _CFG_BY},
    # %PARSER-5-CFGLOG_LOGGEDCMD: User:admin  logged command:!exec: write memory  (archive log config)
    {"key": "PARSER-CFGLOG_LOGGEDCMD", "type": "config_change", "const": {"method": "cli", "kind": "saved"},
     "pattern": r"User:(?P<user>\S+)\s+logged command:!exec: (?:write(?: memory)?|wr|copy run\S* start\S*)\s*$"},
    {"key": "PARSER-CFGLOG_LOGGEDCMD", "type": "config_change", "const": {"method": "cli"},
     "pattern": r"User:(?P<user>\S+)\s+logged command:(?!!exec:)(?!end\s*$)(?!exit\s*$)\S"},
    # %ARCHIVE_DIFF-5-ROLLBK_CNFMD_CHG_ROLLBACK_START: Start rolling to: flash:archive-1
    {"key": "ARCHIVE_DIFF-ROLLBK_CNFMD_CHG_ROLLBACK_START", "type": "config_change",
     "const": {"method": "cli", "kind": "rollback"}, "pattern": r"Start rolling to: (?P<commit_id>\S+)"},
    # %SYS-5-RESTART: System restarted --
    {"key": "SYS-RESTART", "type": "device_reboot", "const": {"reason": "system restarted"},
     "pattern": r"System restarted"},
    # %SYS-5-RELOAD: Reload requested by admin on console. Reload Reason: Reload Command.
    {"key": "SYS-RELOAD", "type": "device_reboot",
     "pattern": r"Reload requested(?: by (?P<_by>\S+?)(?: on (?P<_line>\S+?))?(?: \((?P<_from>[^)]*)\))?)?\.?"
                r"(?:\s+Reload [Rr]eason: (?P<reason>.+?)\.?)?\s*$"},
    # %PMAN-3-PROCHOLDDOWN / PROCFAILCRIT: R0/0: pman: The process linux_iosd-imag has been helddown (rc 134)
    {"key": "PMAN-PROC*", "type": "process_restart",
     "pattern": r"(?:\S+: pman: )?The process (?P<process>\S+) has (?P<reason>failed|been helddown|crashed)"},
    # %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down
    {"key": "LINK-UPDOWN", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": rf"Interface {_IF}, changed state to (?P<state>up|down)"},
    # %LINK-5-CHANGED: Interface GigabitEthernet2, changed state to administratively down
    {"key": "LINK-CHANGED", "type": "interface_flap", "const": {"layer": "admin"},
     "pattern": rf"Interface {_IF}, changed state to administratively (?P<state>down|up)"},
    # %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/1, changed state to down
    {"key": "LINEPROTO-UPDOWN", "type": "interface_flap", "const": {"layer": "lineproto"},
     "pattern": rf"Line protocol on Interface {_IF}, changed state to (?P<state>up|down)"},
    # %PM-4-ERR_DISABLE: bpduguard error detected on Gi0/1, putting Gi0/1 in err-disable state
    {"key": "PM-ERR_DISABLE", "type": "interface_flap",
     "const": {"layer": "link", "state": "down", "err_disabled": True},
     "pattern": r"(?P<reason>\S+) error detected on (?P<interface>[^,\s]+), putting \S+ in err-disable state"},
    # %SPANTREE-2-BLOCK_BPDUGUARD: Received BPDU on port Gi0/1 with BPDU Guard enabled. Disabling port.
    {"key": "SPANTREE-BLOCK_BPDUGUARD", "type": "interface_flap",
     "const": {"layer": "link", "state": "down", "err_disabled": True, "reason": "bpduguard"},
     "pattern": r"Received BPDU on port (?P<interface>\S+?),? with BPDU Guard enabled"},
    # %CDP-4-DUPLEX_MISMATCH: duplex mismatch discovered on GigabitEthernet0/1 (not full duplex), with sw2 Gi0/2 (full duplex).
    {"key": "CDP-DUPLEX_MISMATCH", "type": "interface_change", "const": {"setting": "duplex"},
     "pattern": r"duplex mismatch discovered on (?P<interface>\S+) \((?P<value>[^)]*)\)"},
    # %EC-5-BUNDLE: Interface Gi1/0/1 joined port-channel Po1
    {"key": "EC-BUNDLE", "type": "lag_member", "const": {"state": "up"},
     "pattern": r"Interface (?P<interface>\S+) joined port-channel (?P<lag>\S+)"},
    # %EC-5-UNBUNDLE: Interface Gi1/0/1 left the port-channel Po1
    {"key": "EC-UNBUNDLE", "type": "lag_member", "const": {"state": "down"},
     "pattern": r"Interface (?P<interface>\S+) left the port-channel (?P<lag>\S+)"},
    # %EC-5-CANNOT_BUNDLE2: Gi1/0/2 is not compatible with Gi1/0/1 and will be suspended (speed of Gi1/0/2 is 100M, Gi1/0/1 is 1000M)
    {"key": "EC-CANNOT_BUNDLE2", "type": "lag_member", "const": {"state": "down"},
     "pattern": r"(?P<interface>\S+) is not compatible with \S+ and will be suspended \((?P<reason>[^)]*)\)"},
    # %EC-5-L3DONTBNDL2: Gi1/0/1 suspended: LACP currently not enabled on the remote port.
    {"key": "EC-L3DONTBNDL2", "type": "lag_member", "const": {"state": "down"},
     "pattern": r"(?P<interface>\S+) suspended: (?P<reason>.*?)\.?\s*$"},
    # %BGP-5-ADJCHANGE: neighbor 1.2.3.4 vpn vrf BLUE Up
    {"key": "BGP-ADJCHANGE", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": r"neighbor (?P<neighbor>\S+)(?: vpn vrf (?P<vrf>\S+))? Up\b"},
    # %BGP-5-ADJCHANGE: neighbor 1.2.3.4 vpn vrf BLUE Down Admin. shutdown
    {"key": "BGP-ADJCHANGE", "type": "bgp_down", "const": {"old_state": "Established"},
     "pattern": r"neighbor (?P<neighbor>\S+)(?: vpn vrf (?P<vrf>\S+))? Down\s*(?P<reason>.*?)\s*$"},
    # %BGP_SESSION-5-ADJCHANGE: neighbor 10.0.0.2 IPv4 Unicast vpn vrf BLUE topology base removed from session  Peer closed the session
    {"key": "BGP_SESSION-ADJCHANGE", "type": "bgp_down",
     "pattern": r"neighbor (?P<neighbor>\S+) .*?(?:vpn vrf (?P<vrf>\S+) )?topology \S+ removed from session\s*(?P<reason>.*?)\s*$"},
    # %BGP-3-NOTIFICATION: sent to neighbor 10.0.0.2 4/0 (hold time expired) 0 bytes
    # %BGP-3-NOTIFICATION: received from neighbor 10.0.0.2 active 6/4 (Administrative Reset) 0 bytes
    {"key": "BGP-NOTIFICATION", "type": "bgp_down",
     "pattern": r"(?:sent to|received from) neighbor (?P<neighbor>\S+)(?: (?:active|passive))?"
                r"(?: (?P<_code>\d+/\d+))? \((?P<reason>[^)]*)\)"},
    # %BGP-5-NBR_RESET: Neighbor 10.0.0.2 reset (Peer closed the session)
    {"key": "BGP-NBR_RESET", "type": "bgp_down",
     "pattern": r"Neighbor (?P<neighbor>\S+) (?:active |passive )?reset \((?P<reason>[^)]*)\)"},
    # %BGP-3-MAXPFXEXCEED: No. of prefix received from 10.0.0.2 (afi 0): 101 exceed limit 100
    {"key": "BGP-MAXPFXEXCEED", "type": "bgp_down", "const": {"reason": "maximum prefix limit exceeded"},
     "pattern": r"(?:No\.|Number) of (?:\S+ )*?prefix(?:es)? received from (?P<neighbor>\S+?)(?: \(afi \d+\))?:? \S+ exceeds? limit"},
    # %OSPF-5-ADJCHG: Process 1, Nbr 172.16.46.4 on GigabitEthernet2.45 from INIT to DOWN, Neighbor Down: Dead timer expired
    {"key": "OSPF-ADJCHG", "type": "ospf_adjacency", "pattern": _OSPF},
    # %OSPFV3-5-ADJCHG: Process 1, IPv6, Nbr 2.2.2.2 on GigabitEthernet0/1 from LOADING to FULL, Loading Done
    {"key": "OSPFV3-ADJCHG", "type": "ospf_adjacency", "pattern": _OSPF},
    # %CLNS-5-ADJCHANGE: ISIS: Adjacency to rtr-002 (GigabitEthernet0/1) Up, new adjacency
    {"key": "CLNS-ADJCHANGE", "type": "isis_adjacency",
     "pattern": r"ISIS: Adjacency to (?P<neighbor>\S+) \((?P<interface>[^)]+)\)(?: \(?(?P<level>L\d)\)?)? "
                r"(?P<new_state>Up|Down|Init)(?:,\s*(?P<reason>.*?))?\s*$"},
    # %BFDFSM-6-BFD_SESS_DOWN: BFD-SYSLOG: BFD session ld:4098 handle:2,is going Down Reason: ECHO FAILURE
    # %BFD-6-BFD_SESS_UP: BFD-SYSLOG: BFD session ld:4098 handle:2 is going UP, neighbor 10.0.0.2 proc:BGP, idb:Gi0/1
    {"key": "BFD*", "type": "bfd_session",
     "pattern": r"(?:BFD-SYSLOG: )?BFD session ld:\d+ handle:\d+,? ?is going (?P<state>UP|Up|DOWN|Down)"
                r"(?: Reason: (?P<reason>[^,]+?))?,? neighbor (?P<neighbor>[\d.:a-fA-F]+)"
                r"(?: proc:\S+?)?(?:,? idb:(?P<interface>\S+))?"},
    {"key": "BFD*", "type": "bfd_session",
     "pattern": r"(?:BFD-SYSLOG: )?BFD session (?P<neighbor>ld:\d+) handle:\d+,? ?is going (?P<state>UP|Up|DOWN|Down)"
                r"(?: Reason: (?P<reason>.+?))?\s*$"},
    # %MMODE-6-MMODE_ISOLATED: System is in Maintenance  /  %MMODE-6-MMODE_INSERTED: System is in Normal mode
    {"key": "MMODE-MMODE_ISOLATED", "type": "maintenance", "const": {"state": "entered"}, "pattern": r".*"},
    {"key": "MMODE-MMODE_INSERTED", "type": "maintenance", "const": {"state": "exited"}, "pattern": r".*"},
    # %STORM_CONTROL-3-SHUTDOWN: A packet storm was detected on Gi1/0/18. The interface has been disabled.
    {"key": "STORM_CONTROL-SHUTDOWN", "type": "interface_flap",
     "const": {"layer": "link", "state": "down", "err_disabled": True, "reason": "storm-control"},
     "pattern": r"A packet storm was detected on (?P<interface>[^.\s]+(?:\.\d+)?)\.? The interface has been disabled"},
    # %SPANTREE-2-BLOCK_BPDUGUARD_VP: Received BPDU on port Gi0/1, vlan 10 with BPDU Guard enabled. Disabling vlan.
    {"key": "SPANTREE-BLOCK_BPDUGUARD_VP", "type": "interface_flap",
     "const": {"layer": "link", "state": "down", "err_disabled": True, "reason": "bpduguard"},
     "pattern": r"Received BPDU on port (?P<interface>[^,\s]+),? vlan \d+ with BPDU Guard enabled"},
    # %ETHCNTR-3-LOOP_BACK_DETECTED: Keepalive packet loop-back detected on Gi0/1.
    {"key": "ETHCNTR-LOOP_BACK_DETECTED", "type": "interface_flap",
     "const": {"layer": "link", "state": "down", "err_disabled": True, "reason": "loopback"},
     "pattern": r"Keepalive packet loop-back detected on (?P<interface>[^.\s]+(?:\.\d+)?)"},
    # %SYS-5-RESTART is the boot; %SNMP-5-COLDSTART: SNMP agent on host rtr-001 is undergoing a cold start
    {"key": "SNMP-COLDSTART", "type": "device_reboot", "const": {"reason": "cold start"},
     "pattern": r"SNMP agent on host \S+ is undergoing a cold start"},
    # %DUAL-5-NBRCHANGE (EIGRP) carries no cached answer of ours: left unrecognized on purpose.
]
