"""Cisco NX-OS syslog rules (formats from the NX-OS System Message Guide and napalm-logs' nxos tests).

    <190>2018 Apr 20 13:15:07 nexus-switch %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/33 is down (Link failure)
"""

VENDOR = "cisco_nxos"

_BGP = r"\s*bgp-(?P<_asn>\S+) \[\d+\]\s+(?:\((?P<vrf>[^)]+)\)\s+)?neighbor (?P<neighbor>\S+)"

RULES = [
    # %ETHPORT-5-IF_DOWN_ADMIN_DOWN: Interface Ethernet1/1 is down (Administratively down)
    {"key": "ETHPORT-IF_DOWN_ADMIN_DOWN", "type": "interface_flap", "const": {"layer": "admin", "state": "down"},
     "pattern": r"Interface (?P<interface>\S+) is down(?: \((?P<reason>.*)\))?"},
    # %ETHPORT-5-IF_DOWN_ERROR_DISABLED: Interface Ethernet1/1 is down (Error disabled. Reason:BPDUGuard)
    {"key": "ETHPORT-IF_DOWN_ERROR_DISABLED", "type": "interface_flap",
     "const": {"layer": "link", "state": "down", "err_disabled": True},
     "pattern": r"Interface (?P<interface>\S+) is down(?: \((?P<reason>.*)\))?"},
    # %ETHPORT-5-IF_DOWN_LINK_FAILURE / _CFG_CHANGE / _PORT_CHANNEL_MEMBERS_DOWN ...: Interface X is down (reason)
    {"key": "ETHPORT-IF_DOWN_*", "type": "interface_flap", "const": {"layer": "link", "state": "down"},
     "pattern": r"Interface (?P<interface>\S+) is down(?: \((?P<reason>.*)\))?"},
    # %ETHPORT-5-IF_UP: Interface Ethernet1/33 is up in mode trunk
    {"key": "ETHPORT-IF_UP", "type": "interface_flap", "const": {"layer": "link", "state": "up"},
     "pattern": r"Interface (?P<interface>\S+) is up\b"},
    # %ETHPORT-5-IF_ADMIN_UP: Interface Ethernet1/1 is admin up .
    {"key": "ETHPORT-IF_ADMIN_UP", "type": "interface_flap", "const": {"layer": "admin", "state": "up"},
     "pattern": r"Interface (?P<interface>\S+) is admin up"},
    # %ETHPORT-5-SPEED: Interface Ethernet1/1, operational speed changed to 10 Gbps
    {"key": "ETHPORT-SPEED", "type": "interface_change", "const": {"setting": "speed"},
     "pattern": r"Interface (?P<interface>[^,\s]+), operational speed changed to (?P<value>.+?)\s*$"},
    # %ETHPORT-5-IF_DUPLEX: Interface Ethernet1/1, operational duplex mode changed to Full
    {"key": "ETHPORT-IF_DUPLEX", "type": "interface_change", "const": {"setting": "duplex"},
     "pattern": r"Interface (?P<interface>[^,\s]+), operational duplex mode changed to (?P<value>\S+)"},
    # %STP-2-BLOCK_BPDUGUARD: Received BPDU on port Ethernet1/1 with BPDU Guard enabled. Disabling port.
    {"key": "STP-BLOCK_BPDUGUARD", "type": "interface_flap",
     "const": {"layer": "link", "state": "down", "err_disabled": True, "reason": "bpduguard"},
     "pattern": r"Received BPDU on port (?P<interface>\S+?),? with BPDU Guard enabled"},
    # %ETH_PORT_CHANNEL-5-PORT_DOWN: port-channel10: Ethernet1/1 is down
    {"key": "ETH_PORT_CHANNEL-PORT_DOWN", "type": "lag_member", "const": {"state": "down"},
     "pattern": r"(?P<lag>[Pp]ort-[Cc]hannel\d+): (?P<interface>\S+) is down"},
    # %ETH_PORT_CHANNEL-5-PORT_UP: port-channel10: Ethernet1/1 is up
    {"key": "ETH_PORT_CHANNEL-PORT_UP", "type": "lag_member", "const": {"state": "up"},
     "pattern": r"(?P<lag>[Pp]ort-[Cc]hannel\d+): (?P<interface>\S+) is up"},
    # %ETH_PORT_CHANNEL-5-PORT_SUSPENDED: port-channel10: Ethernet1/2 is suspended
    # %ETH_PORT_CHANNEL-5-PORT_INDIVIDUAL_DOWN: individual port Ethernet1/5 is down
    {"key": "ETH_PORT_CHANNEL-PORT_SUSPENDED", "type": "lag_member", "const": {"state": "down", "reason": "suspended"},
     "pattern": r"(?:(?P<lag>[Pp]ort-[Cc]hannel\d+)|\S+): (?P<interface>\S+) is suspended"},
    {"key": "ETH_PORT_CHANNEL-PORT_INDIVIDUAL_DOWN", "type": "lag_member", "const": {"state": "down"},
     "pattern": r"individual port (?P<interface>\S+) is down"},
    # %LACP-5-LACP_SUSPEND_INDIVIDUAL: LACP port Ethernet1/1 of port-channel port-channel10 not receiving any LACP BPDUs suspending (individual) port
    {"key": "LACP-LACP_SUSPEND_INDIVIDUAL", "type": "lag_member", "const": {"state": "down", "reason": "LACP timeout"},
     "pattern": r"LACP port (?P<interface>\S+) of port-channel (?P<lag>\S+) not receiving any LACP BPDUs"},
    # %BGP-5-ADJCHANGE:  bgp-65000 [5271] (default) neighbor 10.1.1.1 Up
    {"key": "BGP-ADJCHANGE", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": _BGP + r" Up\b"},
    # %BGP-5-ADJCHANGE:  bgp-65000 [5271] (default) neighbor 10.1.1.1 Down - sent:  holdtimer expired error
    {"key": "BGP-ADJCHANGE", "type": "bgp_down", "const": {"old_state": "Established"},
     "pattern": _BGP + r" Down(?:\s*-\s*(?P<reason>.*?))?\s*$"},
    # %OSPF-5-ADJCHANGE:  ospf-1 [8567]  Nbr 10.0.0.2 on Ethernet1/1 went DOWN
    {"key": "OSPF-ADJCHANGE", "type": "ospf_adjacency",
     "pattern": r"\s*ospf-\S+ \[\d+\]\s+Nbr (?P<neighbor>\S+) on (?P<interface>\S+) "
                r"(?:from (?P<old_state>\w+) to |went )(?P<new_state>\w+)(?:,\s*(?P<reason>.*?))?\s*$"},
    # %OSPFV3-5-ADJCHANGE:  ospfv3-1 [8600]  Nbr 2.2.2.2 on Ethernet1/1 went FULL
    {"key": "OSPFV3-ADJCHANGE", "type": "ospf_adjacency",
     "pattern": r"\s*ospfv3-\S+ \[\d+\]\s+Nbr (?P<neighbor>\S+) on (?P<interface>\S+) "
                r"(?:from (?P<old_state>\w+) to |went )(?P<new_state>\w+)(?:,\s*(?P<reason>.*?))?\s*$"},
    # %ISIS-5-ADJCHANGE:  isis-100 [5614]  P2P adj L2 R2 over Ethernet1/1 - UP on MT-0
    {"key": "ISIS-ADJCHANGE", "type": "isis_adjacency",
     "pattern": r"\s*isis-\S+ \[\d+\]\s+(?:LAN|P2P) adj (?P<level>L\d) (?P<neighbor>\S+) over (?P<interface>\S+) "
                r"- (?P<new_state>UP|DOWN|INIT)\b(?:\s*\((?P<reason>[^)]*)\))?"},
    # %BFD-5-SESSION_STATE_DOWN: BFD session 1090519041 to neighbor 10.0.0.2 on interface Eth1/1 has gone down. Reason: Control Detection Time Expired.
    {"key": "BFD-SESSION_STATE_DOWN", "type": "bfd_session", "const": {"state": "down"},
     "pattern": r"BFD session \S+ to neighbor (?P<neighbor>\S+) on interface (?P<interface>\S+) has gone down"
                r"(?:\. Reason: (?P<reason>.*?)\.?)?\s*$"},
    # %BFD-5-SESSION_STATE_UP: BFD session 1090519041 to neighbor 10.0.0.2 on interface Eth1/1 is up.
    {"key": "BFD-SESSION_STATE_UP", "type": "bfd_session", "const": {"state": "up"},
     "pattern": r"BFD session \S+ to neighbor (?P<neighbor>\S+) on interface (?P<interface>\S+?)\.? is up"},
    # %VSHD-5-VSHD_SYSLOG_CONFIG_I: Configured from vty by admin on 10.1.1.1@pts/0
    {"key": "VSHD-VSHD_SYSLOG_CONFIG_I", "type": "config_change", "const": {"method": "cli"},
     "pattern": r"Configured from (?P<_from>\S+) by (?P<user>\S+?)(?: on (?P<source_address>[^@\s]+)(?:@(?P<_tty>\S+))?)?\s*$"},
    # %SYSMGR-5-CFGWRITE_DONE: Configuration copy is done  (copy running-config startup-config)
    {"key": "SYSMGR-CFGWRITE_DONE", "type": "config_change", "const": {"method": "cli", "kind": "saved"},
     "pattern": r".*"},
    # %SYSMGR-2-SERVICE_CRASHED: Service "bgp" (PID 5271) hasn't caught signal 6 (core will be saved).
    {"key": "SYSMGR-SERVICE_CRASHED", "type": "process_restart",
     "pattern": r'Service "(?P<process>[^"]+)" \(PID \d+\) (?P<reason>.*?)\.?\s*$'},
    # %MMODE-2-MODE_CHANGED: System changed to "maintenance" mode.  /  ... to "normal" mode.
    {"key": "MMODE-MODE_CHANGED", "type": "maintenance", "const": {"state": "entered"},
     "pattern": r'.*changed to "?maintenance"?'},
    {"key": "MMODE-MODE_CHANGED", "type": "maintenance", "const": {"state": "exited"},
     "pattern": r'.*changed to "?normal"?'},
    # %PLATFORM-2-PFM_SYSTEM_RESET: Manual system restart from Command Line Interface
    {"key": "PLATFORM-PFM_SYSTEM_RESET", "type": "device_reboot",
     "pattern": r"(?P<reason>.*?)\s*$"},
    # %SYSMGR-2-SERVICE_CRASHED is above; %SYSMGR-3-SERVICE_TERMINATED: Service "bgp" (PID 1234) has finished with error code ...
    {"key": "SYSMGR-SERVICE_TERMINATED", "type": "process_restart",
     "pattern": r"Service \"(?P<process>[^\"]+)\" \(PID \d+\) (?P<reason>has finished with error code.*?)\.?\s*$"},
    # %ETHPORT-5-IF_DOWN_CFG_CHANGE / ..._ERROR_DISABLED are read by the IF_DOWN_* rules;
    # %ETH_PORT_CHANNEL-5-PORT_INDIVIDUAL / FOP_CHANGED carry no member change
    # %BGP-5-ADJCHANGE:  bgp- [1234] (default) neighbor 10.0.0.2 Up  (read above); %BGP-3-MAXPFXEXCEED:
    {"key": "BGP-MAXPFXEXCEED", "type": "bgp_down", "const": {"reason": "maximum prefix limit exceeded"},
     "pattern": r".*?(?:[Nn]eighbor|from) (?P<neighbor>[\d.:a-fA-F]+(?:%\S+)?)\b.*?(?:prefix|prefixes)"},

]
