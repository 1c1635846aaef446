"""Huawei VRP (V5 and V8) syslog rules, from Huawei's Log Reference for the NE/CE/S series.

The id is ``%%<version><MODULE>/<severity>/<MNEMONIC>(<type>)[<seq>]:``; the message is prose
followed by ``(Key=Value, ...)``::

    <188>Nov 28 2026 03:41:07+08:00 CE6850-1 %%01IFNET/4/LINK_STATE(l)[12]:The line protocol IP on the interface 10GE1/0/1 has entered the DOWN state.
"""

from typing import Any

VENDOR = "huawei_vrp"


def _kv(name: str, group: str | None = None) -> str:
    """A lookahead capturing ``Name=value`` anywhere in the (Key=Value, ...) part."""
    return rf"(?=.*?\b{name}=(?P<{group or name.lower()}>[^,)]+))"


_IF_STATE = r"(?P<state>UP|DOWN|Up|Down|up|down)"

RULES: list[dict[str, Any]] = [
    # IFNET/4/LINK_STATE: The line protocol IP on the interface GigabitEthernet0/0/1 has entered the DOWN state.
    {"key": "IFNET-LINK_STATE", "type": "interface_flap", "const": {"layer": "lineproto"},
     "pattern": rf"The line protocol (?:\S+ )?on the interface (?P<interface>\S+) has entered the {_IF_STATE} state"},
    # IFPDT/4/IF_STATE: Interface GigabitEthernet0/0/1 has turned into DOWN state.
    {"key": "IFPDT-IF_STATE", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": rf"Interface (?P<interface>\S+) has turned into {_IF_STATE} state"},
    # IFNET/4/IF_STATE: Interface GigabitEthernet0/0/1 has turned into UP state.
    {"key": "IFNET-IF_STATE", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": rf"Interface (?P<interface>\S+) has turned into {_IF_STATE} state"},
    # IFNET/2/linkDown_active: The interface status changes. (ifName=GE1/0/1, AdminStatus=DOWN, OperStatus=DOWN, Reason=Interface physical link is Down, mainIfname=GE1/0/1)
    {"key": "IFNET-LINKDOWN_ACTIVE", "type": "interface_flap", "const": {"layer": "admin", "state": "down"},
     "pattern": r"The interface status changes\." + _kv("ifName", "interface") + r"(?=.*?AdminStatus=DOWN)"
                + _kv("Reason")},
    {"key": "IFNET-LINKDOWN_ACTIVE", "type": "interface_flap", "const": {"layer": "link", "state": "down"},
     "pattern": r"The interface status changes\." + _kv("ifName", "interface") + _kv("Reason")},
    # IFNET/2/linkDown_clear: The interface status changes. (ifName=GE1/0/1, AdminStatus=UP, OperStatus=UP, ...)
    {"key": "IFNET-LINKDOWN_CLEAR", "type": "interface_flap", "const": {"layer": "link", "state": "up"},
     "pattern": r"The interface status changes\." + _kv("ifName", "interface")},
    # ERROR-DOWN/4/hwErrordown_active: Error-down occurred. (Ifindex=6, Ifname=GigabitEthernet0/0/1, Cause=bpdu-protection)
    {"key": "ERROR-DOWN-HWERRORDOWN_ACTIVE", "type": "interface_flap",
     "const": {"layer": "link", "state": "down", "err_disabled": True},
     "pattern": r"Error-down occurred\." + _kv("Ifname", "interface") + _kv("Cause", "reason")},
    # MSTP/4/BPDU_PROTECTION: This edged-port GigabitEthernet0/0/1 that enabled BPDU-Protection will be shutdown, because it received BPDU packet!
    {"key": "MSTP-BPDU_PROTECTION", "type": "interface_flap",
     "const": {"layer": "link", "state": "down", "err_disabled": True, "reason": "bpdu-protection"},
     "pattern": r"This edged-port (?P<interface>\S+) that enabled BPDU-Protection will be shutdown"},
    {"key": "LACP-LAG_DOWN_REASON_*", "type": "lag_member", "const": {"state": "down"},
     "pattern": r"(?P<reason>The member of the LACP mode Eth-Trunk interface went down[^.(]*)\.?.*?"
                + _kv("PortName", "interface") + _kv("TrunkName", "lag")},
    {"key": "LACP-HWLACPPARTNEREXPIREDLOSS_ACTIVE", "type": "lag_member", "const": {"state": "down", "reason": "LACP timeout"},
     "pattern": _kv("PortName", "interface") + _kv("TrunkName", "lag")},
    # LACP/2/hwLacpPartnerExpiredLoss_clear: The LACP partner is restored. (TrunkName=Eth-Trunk1, PortName=GE1/0/1)
    {"key": "LACP-HWLACPPARTNEREXPIREDLOSS_CLEAR", "type": "lag_member", "const": {"state": "up"},
     "pattern": _kv("PortName", "interface") + _kv("TrunkName", "lag")},
    # BGP/3/STATE_CHG_UPDOWN: The status of the peer 10.1.1.2 changed from ESTABLISHED to IDLE. (InstanceName=Public, StateChangeReason=Hold Timer Expired)
    {"key": "BGP-STATE_CHG_UPDOWN", "type": "bgp_up",
     "pattern": r"The status of the peer (?P<neighbor>\S+) changed from (?P<old_state>\w+) to (?P<new_state>ESTABLISHED)\b"
                r"(?:.*?InstanceName=(?P<vrf>[^,)]+))?"},
    {"key": "BGP-STATE_CHG_UPDOWN", "type": "bgp_down",
     "pattern": r"The status of the peer (?P<neighbor>\S+) changed from (?P<old_state>ESTABLISHED) to (?P<new_state>\w+)\."
                r"(?:.*?InstanceName=(?P<vrf>[^,)]+))?(?:.*?StateChangeReason=(?P<reason>[^,)]+))?"},
    {"key": "BGP-STATE_CHG_UPDOWN", "type": "bgp_state_change",
     "pattern": r"The status of the peer (?P<neighbor>\S+) changed from (?P<old_state>\w+) to (?P<new_state>\w+)\."
                r"(?:.*?InstanceName=(?P<vrf>[^,)]+))?(?:.*?StateChangeReason=(?P<reason>[^,)]+))?"},
    # BGP/2/hwBgpPeerBackwardTransition_active / BGP/2/BACKWARD: The BGP FSM moves from a higher numbered state to a lower numbered state. (BgpPeerRemoteAddr=10.1.1.2, ..., BgpPeerState=Idle, ..., Reason=...)
    {"key": "BGP-HWBGPPEERBACKWARDTRANSITION_ACTIVE", "type": "bgp_down", "const": {"old_state": "Established"},
     "pattern": r"The BGP FSM moves from a higher numbered state to a lower numbered state\."
                + _kv("BgpPeerRemoteAddr", "neighbor") + _kv("BgpPeerState", "new_state")
                + r"(?:(?=.*?VpnInstance=(?P<vrf>[^,)]+)))?(?:(?=.*?Reason=(?P<reason>[^,)]+)))?"},
    # BGP/2/ESTABLISHED / hwBgpPeerBackwardTransition_clear: The BGP FSM enters the Established state. (BgpPeerRemoteAddr=10.1.1.2, ...)
    {"key": "BGP-ESTABLISHED", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": r"The BGP FSM enters the Established state\." + _kv("BgpPeerRemoteAddr", "neighbor")
                + r"(?:(?=.*?VpnInstance=(?P<vrf>[^,)]+)))?"},
    {"key": "BGP-HWBGPPEERBACKWARDTRANSITION_CLEAR", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": _kv("BgpPeerRemoteAddr", "neighbor") + r"(?:(?=.*?VpnInstance=(?P<vrf>[^,)]+)))?"},
    # BGP/6/NOTIFY_SEND / NOTIFY_RECV: Sent a NOTIFICATION to peer 10.1.1.2. (ErrorCode=6, SubErrorCode=4, ...)
    {"key": "BGP-NOTIFY_*", "type": "bgp_down",
     "pattern": r"(?:Sent|Received) a NOTIFICATION (?:to|from) (?:the )?peer (?P<neighbor>[\d.:a-fA-F]+?)\.?(?=\s|$)"
                r"(?:.*?ErrorCode=(?P<reason>[^,)]+))?"},
    # BGP/3/ROUTETHRESHOLDEXCEED / BGP/2/ROUTEEXCEED: The number of routes received from peer 10.1.1.2 exceeded the maximum value. (...)
    {"key": "BGP-ROUTEEXCEED*", "type": "bgp_down", "const": {"reason": "maximum prefix limit exceeded"},
     "pattern": r"The number of routes received from (?:the )?peer (?P<neighbor>[\d.:a-fA-F]+) exceeded the (?:alarm number|maximum)"},
    # OSPF/3/NBR_CHG_DOWN: Neighbor event:neighbor state changed to Down. (ProcessId=1, NeighborAddress=10.1.1.2, NeighborEvent=KillNbr, NeighborPreviousState=Full, NeighborCurrentState=Down)
    {"key": "OSPF-NBR_CHG*", "type": "ospf_adjacency",
     "pattern": _kv("NeighborAddress", "neighbor") + _kv("NeighborCurrentState", "new_state")
                + r"(?:(?=.*?NeighborPreviousState=(?P<old_state>[^,)]+)))?(?:(?=.*?NeighborEvent=(?P<reason>[^,)]+)))?"},
    {"key": "OSPF-NBR_CHANGE*", "type": "ospf_adjacency",
     "pattern": _kv("NeighborAddress", "neighbor") + _kv("NeighborCurrentState", "new_state")
                + r"(?:(?=.*?NeighborPreviousState=(?P<old_state>[^,)]+)))?(?:(?=.*?NeighborEvent=(?P<reason>[^,)]+)))?"},
    # ISIS/4/ADJ_CHANGE / ISIS/2/ISIS_ADJACENCY_CHANGE: ... (IsisProcessId=1, Neighbor=0000.0000.0002, Interface=GE1/0/1, CurrentState=Down, ChangeType=HOLDING_TIMER_EXPIRED, Level=Level-2)
    {"key": "ISIS-*ADJ*CHANGE*", "type": "isis_adjacency",
     "pattern": _kv("Neighbor", "neighbor") + _kv("CurrentState", "new_state")
                + r"(?:(?=.*?Interface(?:Name)?=(?P<interface>[^,)]+)))?(?:(?=.*?Level=(?P<level>[^,)]+)))?"
                + r"(?:(?=.*?ChangeType=(?P<reason>[^,)]+)))?"},
    # BFD/4/STACHG_TODWN: BFD session changed to Down. (SlotNumber=0, Discriminator=8192, Diagnostic=DetectDown, Applications=BGP, ..., BindInterfaceName=GE1/0/1, ..., PeerIp=10.1.1.2)
    {"key": "BFD-STACHG_TODWN", "type": "bfd_session", "const": {"state": "down"},
     "pattern": _kv("PeerIp", "neighbor") + r"(?:(?=.*?BindInterfaceName=(?P<interface>[^,)]+)))?"
                + r"(?:(?=.*?Diagnostic=(?P<reason>[^,)]+)))?"},
    {"key": "BFD-STACHG_TOUP", "type": "bfd_session", "const": {"state": "up"},
     "pattern": _kv("PeerIp", "neighbor") + r"(?:(?=.*?BindInterfaceName=(?P<interface>[^,)]+)))?"},
    {"key": "BFD-STACHG_TODWN", "type": "bfd_session", "const": {"state": "down"},
     "pattern": _kv("Discriminator", "neighbor") + r"(?:(?=.*?BindInterfaceName=(?P<interface>[^,)]+)))?"
                + r"(?:(?=.*?Diagnostic=(?P<reason>[^,)]+)))?"},
    {"key": "BFD-STACHG_TOUP", "type": "bfd_session", "const": {"state": "up"},
     "pattern": _kv("Discriminator", "neighbor") + r"(?:(?=.*?BindInterfaceName=(?P<interface>[^,)]+)))?"},
    # CONFIGURATION/6/CFG_CHANGE: Configuration changed. (CurrentCfgChgSeqID=12, ..., UserName=admin)
    {"key": "CONFIGURATION-CFG_CHANGE", "type": "config_change", "const": {"method": "commit"},
     "pattern": _kv("UserName", "user") + r"?"},
    # CFM/4/SAVE: The user chose Y when deciding whether to save the configuration to the device.
    {"key": "CFM-SAVE", "type": "config_change", "const": {"method": "cli", "kind": "saved"},
     "pattern": r"The user chose Y when deciding whether to save the configuration"},
    # SHELL/4/REBOOT: The user chose Y when deciding whether to reboot the system. (Task=VT0, Ip=10.1.1.1, User=admin)
    {"key": "SHELL-REBOOT", "type": "device_reboot", "const": {"reason": "reboot requested"},
     "pattern": r"The user chose Y when deciding whether to reboot the system"},
    # PHY/1/PHY: GigabitEthernet0/0/7: change status to down   (S series, the physical state)
    {"key": "PHY-PHY", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": r"\s*(?P<interface>[^:\s]+): change status to (?P<state>up|down)"},
    # TRUNK/5/MEMBER_UP / MEMBER_DOWN: The status of the trunk member went Up. (TrunkName=Eth-Trunk1, PortName=GigabitEthernet0/0/2)
    {"key": "TRUNK-MEMBER_UP", "type": "lag_member", "const": {"state": "up"},
     "pattern": r"The status of the trunk member went Up\." + _kv("TrunkName", "lag") + _kv("PortName", "interface")},
    {"key": "TRUNK-MEMBER_DOWN", "type": "lag_member", "const": {"state": "down"},
     "pattern": r"The status of the trunk member went Down\." + _kv("TrunkName", "lag") + _kv("PortName", "interface")
                + r"(?:(?=.*?Reason=(?P<reason>[^,)]+)))?"},
    # LACP/4/LACP_STATE_DOWN: The LACP state is down. (PortName=10GE1/0/9, TrunkName=Eth-Trunk10, Reason=The port received a PDU timeout.)
    {"key": "LACP-LACP_STATE_DOWN", "type": "lag_member", "const": {"state": "down"},
     "pattern": r"The LACP state is down\." + _kv("PortName", "interface") + _kv("TrunkName", "lag")
                + r"(?:(?=.*?Reason=(?P<reason>[^,)]+)))?"},
    # BGP/6/SEND_NOTIFY: The router sent a NOTIFICATION message to peer 10.2.2.6. (ErrorCode=4, SubErrorCode=0, ...)
    # BGP/6/RECV_NOTIFY: The router received NOTIFICATION message from peer 10.4.4.1. (ErrorCode=6, SubErrorCode=2, ...)
    {"key": "BGP-*_NOTIFY", "type": "bgp_down",
     "pattern": r"The router (?:sent|received) (?:a )?NOTIFICATION message (?:to|from) peer (?P<neighbor>[\d.:a-fA-F]+?)\.?(?=\s|$)"
                r"(?:.*?ErrorCode=(?P<reason>[^,)]+))?"},
    # BGP/2/hwBgpPeerRouteExceed_active: The number of routes received from the BGP peer exceeded the alarm number. (..., PeerRemoteAddr=10.4.4.5, MaxRouteNum=1000, ...)
    {"key": "BGP-HWBGPPEERROUTEEXCEED_ACTIVE", "type": "bgp_down", "const": {"reason": "maximum prefix limit exceeded"},
     "pattern": r"The number of routes received from the BGP peer exceeded" + _kv("PeerRemoteAddr", "neighbor")},
    # SHELL/5/CMDRECORD: Recorded command information. (Task=VT0, Ip=10.10.5.21, VpnName=, User=admin, AuthenticationMethod="Local-user", Command="undo shutdown")
    # every command is recorded: looking (display, ping ...) and moving between views are not changes
    {"key": "SHELL-CMDRECORD", "type": "config_change", "const": {"method": "cli", "kind": "saved"},
     "pattern": r"Recorded command information\." + _kv("User", "user") + r'(?=.*?Command="?save(?: \S+)?"?\s*\))'},
    {"key": "SHELL-CMDRECORD", "type": "config_change", "const": {"method": "cli"},
     "pattern": r"Recorded command information\." + _kv("User", "user") + r"(?:(?=.*?\bIp=(?P<source_address>[^,)]+)))?"
                r'(?=.*?Command="?(?!(?:display|dis|ping|tracert|telnet|ssh|stelnet|quit|q|return|system-view|sys|'
                r'screen-length|undo screen-length|terminal|undo terminal|save|reset|debugging|undo debugging|'
                r'interface|bgp|ospf|isis|commit|language-mode)\b)[a-z])'},
    # CONFIGURATION/6/CFG_FILE_CHANGE: Configuration file was changed. (... TerUser="admin", SrcAddress=10.1.1.1, ...)  (V8: committed)
    {"key": "CONFIGURATION-CFG_FILE_CHANGE", "type": "config_change", "const": {"method": "commit"},
     "pattern": r"(?:(?=.*?(?:UserName|TerUser)=\"?(?P<user>[^,)\"]+)))?(?:(?=.*?CommitId=(?P<commit_id>[^,)]+)))?"},
    # CMD/4/REBOOT: The user chose Y when deciding whether to reboot the system. (Task=VT0, Ip=10.10.5.21, VpnName=, User=admin)
    {"key": "CMD-REBOOT", "type": "device_reboot", "const": {"reason": "reboot requested"},
     "pattern": r"The user chose Y when deciding whether to reboot the system"},
]

# BGP/2/BACKWARD (V5 name of hwBgpPeerBackwardTransition_active): same text
RULES += [{**rule, "key": "BGP-BACKWARD"} for rule in RULES if rule["key"] == "BGP-HWBGPPEERBACKWARDTRANSITION_ACTIVE"]
