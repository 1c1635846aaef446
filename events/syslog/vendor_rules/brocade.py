"""Brocade / Extreme NetIron (MLX, CER, CES), FastIron (ICX, FCX), SLX-OS / VDX and Extreme EXOS syslog rules.

NetIron writes ``<facility word>: <text>`` (``System:``, ``BGP:``, ``OSPF:``, ``Security:``),
from the NetIron Diagnostic Reference and napalm-logs' netiron profiles; SLX-OS and VDX send RASLog, ``[NSM-1003], <seq>, <slot> | ...,
<severity>, <model>, <text>``, from the SLX-OS Message Reference (raslogd may put its own
``2026/11/28-03:41:05, `` stamp first); EXOS writes ``<Sev:component.condition> <text>``, from the
EXOS EMS message catalog::

    <190>Nov 28 03:41:07 mlx-1 System: Interface ethernet 1/1, state down
    <190>Nov 28 03:41:07 slx-1 raslogd: [NSM-1003], 4411, SW/0 | Active | DCE, INFO, SLX9250-32C, Interface Ethernet 0/1 is link down.
    <190>Nov 28 03:41:07 x465-1 <Info:vlan.msgs.portLinkStateDown> Port 1:21 link down
"""

VENDOR = "brocade"

_IF = r"(?P<interface>(?:ethernet|Ethernet|ve|Ve|loopback|lag|Port-channel|ethe|eth) ?[\d/:]+)"

RULES = [
    # System: Interface ethernet 1/1, state down  /  state up
    {"key": "SYSTEM", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": rf"Interface {_IF}, state (?P<state>up|down)"},
    # System: Logical link on dynamic lag interface ethernet 1/1/2 is up.  (FastIron: a LACP member)
    {"key": "SYSTEM", "type": "lag_member",
     "pattern": rf"Logical link on dynamic lag interface {_IF} is (?P<state>up|down)"},
    # System: Logical link on interface ethernet 1/1 is down.
    {"key": "SYSTEM", "type": "interface_flap", "const": {"layer": "lineproto"},
     "pattern": rf"Logical link on (?:interface )?{_IF} is (?P<state>up|down)"},
    # STP: BPDU guard violation on port ethernet 1/1, port disabled
    {"key": "STP", "type": "interface_flap",
     "const": {"layer": "link", "state": "down", "err_disabled": True, "reason": "bpduguard"},
     "pattern": rf"(?:BPDU guard|BPDU-guard|Root guard) .*?(?:port|interface) {_IF}"},
    # STP: VLAN 1 BPDU-guard port 1/1/5 detect (Received 802.1W BPDU), putting into err-disable state
    {"key": "STP", "type": "interface_flap",
     "const": {"layer": "link", "state": "down", "err_disabled": True, "reason": "bpduguard"},
     "pattern": r"(?:VLAN \d+ )?BPDU-?[Gg]uard port (?P<interface>[\d/]+) detect.*?err-disable"},
    # LACP: ethernet 1/1 state changes from LACP_BLOCKED to FORWARD  /  from FORWARD to DOWN
    {"key": "LACP", "type": "lag_member", "const": {"state": "up"},
     "pattern": rf"(?:Port |port )?{_IF} state changes from \w+ to FORWARD"},
    {"key": "LACP", "type": "lag_member", "const": {"state": "down"},
     "pattern": rf"(?:Port |port )?{_IF} state changes from \w+ to (?P<reason>LACP_BLOCKED|DOWN|BLOCKED|LACP_TIMEOUT)"},
    # LACP: Port ethernet 1/1 (lag 10) partner timed out
    {"key": "LACP", "type": "lag_member", "const": {"state": "down", "reason": "LACP timeout"},
     "pattern": rf"(?:Port |port )?{_IF}(?: \((?:lag|LAG) (?P<lag>[^)]+)\))? .*?tim(?:ed )?out"},
    # BGP: Peer 10.1.1.2 UP (ESTABLISHED)
    {"key": "BGP", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": r"Peer (?P<neighbor>\S+) UP\b(?: \((?P<_st>[^)]*)\))?"},
    # BGP: Peer 10.1.1.2 DOWN (Rcv Notification:Hold Timer Expired)
    {"key": "BGP", "type": "bgp_down", "const": {"old_state": "Established"},
     "pattern": r"Peer (?P<neighbor>\S+) DOWN\b(?: \((?P<reason>[^)]*)\))?"},
    # BGP: Peer (VRF: blue) 10.1.1.2 UP (ESTABLISHED)  /  Peer (VRF: blue) 10.1.1.2 DOWN (Hold Timer Expired)
    {"key": "BGP", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": r"Peer \(VRF: (?P<vrf>[^)]+)\) (?P<neighbor>\S+) UP\b"},
    {"key": "BGP", "type": "bgp_down", "const": {"old_state": "Established"},
     "pattern": r"Peer \(VRF: (?P<vrf>[^)]+)\) (?P<neighbor>\S+) DOWN\b(?: \((?P<reason>[^)]*)\))?"},
    # OSPF: nbr state changed, rid 1.1.1.1, nbr addr 10.1.1.2, nbr rid 2.2.2.2, state down
    {"key": "OSPF", "type": "ospf_adjacency",
     "pattern": r"nbr state changed, rid \S+, nbr addr (?P<_addr>[^,]+), nbr rid (?P<neighbor>[^,]+), state (?P<new_state>\w+)"},
    # ISIS: L2 Neighbor 2080.6521.2083 Down on ve 172 due to BFD Trigger  /  ... Up on eth 2/1
    {"key": "ISIS", "type": "isis_adjacency",
     "pattern": r"(?P<level>L\d) Neighbor (?P<neighbor>\S+) (?P<new_state>Up|Down|UP|DOWN) on (?P<interface>\S+(?: [\d/:]+)?)"
                r"(?: due to (?P<reason>.*?))?\s*$"},
    # ISIS: ISIS L2 ADJACENCY UP mlx-core2 on ethernet 1/2  (NetIron 5.x+)
    {"key": "ISIS", "type": "isis_adjacency",
     "pattern": r"ISIS (?P<level>L\d) ADJACENCY (?P<new_state>UP|DOWN) (?P<neighbor>\S+) on (?P<interface>\S+(?: [\d/:]+)?)"
                r"(?:,? (?:due to |reason:? )?(?P<reason>.*?))?\s*$"},
    # BFD: Session DOWN for 10.1.1.2 on ve 55 Reason:Detection Time Expired  /  Session UP for 10.1.1.2 on ve 55
    {"key": "BFD", "type": "bfd_session", "const": {"state": "admin_down"},
     "pattern": r"Session DOWN for (?P<neighbor>\S+) on (?P<interface>.+?) Reason:(?P<reason>Administratively Down)"},
    {"key": "BFD", "type": "bfd_session",
     "pattern": r"Session (?P<state>UP|DOWN) for (?P<neighbor>\S+) on (?P<interface>.+?)(?: Reason:(?P<reason>.*?))?\s*$"},
    # Security: running-config was changed by admin from telnet client 10.1.1.1
    {"key": "SECURITY", "type": "config_change", "const": {"method": "cli"},
     "pattern": r"running-config was changed by (?P<user>\S+)(?: from (?P<_client>.*?) (?P<source_address>[\d.:a-fA-F]+))?\s*$"},
    # Security: startup-config was changed by admin from ssh client 10.1.1.1  (write memory)
    {"key": "SECURITY", "type": "config_change", "const": {"method": "cli", "kind": "saved"},
     "pattern": r"startup-config was changed by (?P<user>\S+)(?: from (?P<_client>.*?) (?P<source_address>[\d.:a-fA-F]+))?\s*$"},
    # System: Cold start  /  Warm start
    {"key": "SYSTEM", "type": "device_reboot",
     "pattern": r"(?P<reason>(?:Cold|Warm) start)"},
    # --- SLX-OS / VDX RASLog ---
    # [NSM-1001] Interface Ethernet 0/1 is online.
    {"key": "NSM-1001", "type": "interface_flap", "const": {"layer": "link", "state": "up"},
     "pattern": r"Interface (?P<interface>\S+ [\d/:]+) is online"},
    # [NSM-1002] Interface Ethernet 0/1 is protocol down.
    {"key": "NSM-1002", "type": "interface_flap", "const": {"layer": "lineproto", "state": "down"},
     "pattern": r"Interface (?P<interface>\S+ [\d/:]+) is protocol down"},
    # [NSM-1003] Interface Ethernet 0/1 is link down.
    {"key": "NSM-1003", "type": "interface_flap", "const": {"layer": "link", "state": "down"},
     "pattern": r"Interface (?P<interface>\S+ [\d/:]+) is link down"},
    # [NSM-1019] Interface Ethernet 0/1 is administratively down.  / [NSM-1020] ... is administratively up.
    {"key": "NSM-1019", "type": "interface_flap", "const": {"layer": "admin"},
     "pattern": r"Interface (?P<interface>\S+ [\d/:]+) is administratively (?P<state>up|down)"},
    {"key": "NSM-1020", "type": "interface_flap", "const": {"layer": "admin"},
     "pattern": r"Interface (?P<interface>\S+ [\d/:]+) is administratively (?P<state>up|down)"},
    # [NSM-1023] Interface Ethernet 0/1 is added to / removed from Port-channel 10.
    {"key": "NSM-1023", "type": "lag_member", "const": {"state": "up"},
     "pattern": r"(?:RBridge \S+: )?Interface (?P<interface>\S+ [\d/:]+) is added to (?:interface )?(?P<lag>Port-channel ?\d+)"},
    {"key": "NSM-1024", "type": "lag_member", "const": {"state": "down"},
     "pattern": r"(?:RBridge \S+: )?Interface (?P<interface>\S+ [\d/:]+) is (?:removed|deleted) from (?:interface )?(?P<lag>Port-channel ?\d+)"},
    # [BGP-1002] BGP: Peer 10.1.1.2 DOWN (Rcv Notification:Hold Timer Expired)  (RASLog wrapper of the same text)
    {"key": "BGP-*", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": r"(?:BGP: )?Peer (?P<neighbor>\S+) UP\b"},
    {"key": "BGP-*", "type": "bgp_down", "const": {"old_state": "Established"},
     "pattern": r"(?:BGP: )?Peer (?P<neighbor>\S+) DOWN\b(?: \((?P<reason>[^)]*)\))?"},
    # [DCM-1006] Event: database commit, Status: success, User command: "configure terminal; interface ...".
    {"key": "DCM-1006", "type": "config_change", "const": {"method": "commit"},
     "pattern": r"Event: database commit(?: transaction)?, Status: (?:success|Succeeded)"},
    # [DCM-1101] Copy running-config to startup-config operation successful on this node.
    {"key": "DCM-1101", "type": "config_change", "const": {"method": "cli", "kind": "saved"},
     "pattern": r"Copy running-config to startup-config operation successful"},
    # [RAS-1007] System is about to reload.
    {"key": "RAS-1007", "type": "device_reboot", "const": {"reason": "reload"},
     "pattern": r"System is about to reload"},
    # --- Extreme EXOS "<Sev:component.condition>" (EXOS EMS Message Catalog) ---
    # <Info:vlan.msgs.portLinkStateUp> Port 1:5 link UP at speed 1 Gbps and full-duplex
    {"key": "VLAN.MSGS.PORTLINKSTATEUP", "type": "interface_flap", "const": {"layer": "link", "state": "up"},
     "pattern": r"Port (?P<interface>[\d:]+) link UP"},
    # <Info:vlan.msgs.portLinkStateDown> Port 2:17 link down
    {"key": "VLAN.MSGS.PORTLINKSTATEDOWN", "type": "interface_flap", "const": {"layer": "link", "state": "down"},
     "pattern": r"Port (?P<interface>[\d:]+) link [Dd]own"},
]
