"""FRRouting daemons (bgpd, ospfd, ospf6d, isisd, bfdd), as on Cumulus Linux, SONiC and plain Linux routers.

Formats from FRR's source (``bgp_fsm.c`` log-neighbor-changes, ``ospf_nsm.c``, ``isis_adjacency.c``,
``bfdd/bfd.c``) and the Cumulus Linux docs::

    <29>Nov 28 03:41:07 leaf01 bgpd[1234]: %ADJCHANGE: neighbor swp51(spine01) in vrf default Down Peer closed the session
    <29>Nov 28 03:41:07 leaf01 bgpd[1234]: [M59KS-A3ZXZ] %ADJCHANGE: neighbor 10.0.0.1(spine01) in vrf default Up
"""

VENDOR = "frr"

#: bgp_fsm.c: "%s [FSM] %s (%s->%s), fd %d" (peer, event, old state, new state)
_FSM = r"(?P<neighbor>\S+) \[FSM\] (?P<reason>\S+) \((?P<old_state>\w+)->(?P<new_state>\w+)\)"
_NBR = r"neighbor (?P<neighbor>[^\s(]+)(?:\((?P<_desc>[^)]*)\))?(?: in vrf (?P<vrf>\S+))?"

RULES = [
    # %ADJCHANGE: neighbor 10.0.0.57(ARISTA01T1) in vrf default Up
    {"key": "ADJCHANGE", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": _NBR + r" Up\b"},
    {"key": "ADJCHANGE", "type": "bgp_down", "const": {"old_state": "Established"},
     "pattern": _NBR + r" Down\s*(?P<reason>.*?)\s*$"},
    # %NOTIFICATION: sent to neighbor 10.0.0.1 4/0 (Hold Timer Expired) 0 bytes
    {"key": "NOTIFICATION", "type": "bgp_down",
     "pattern": r"(?:sent to|received from) neighbor (?P<neighbor>[^\s(]+)(?:\([^)]*\))?(?: (?P<_code>\d+/\d+))? "
                r"\((?P<reason>[^)]*)\)"},
    # %MAXPFXEXCEED: [Event] Maximum number of prefixes reached: 10.0.0.1, afi/safi IPv4 Unicast, 101 > 100
    # %MAXPFXEXCEED: No. of IPv4 Unicast prefix received from 10.0.0.1 reaches 101, max 100
    {"key": "MAXPFXEXCEED", "type": "bgp_down", "const": {"reason": "maximum prefix limit exceeded"},
     "pattern": r".*?(?:received from |reached: )(?P<neighbor>[^\s,(]+)"},
    # ospfd: AdjChg: Nbr 10.0.0.2(default) on swp1:10.0.0.1: Full -> Deleted (InactivityTimer)
    {"key": "OSPFD", "type": "ospf_adjacency",
     "pattern": r"AdjChg: Nbr (?:\[)?(?P<neighbor>[\d.]+)(?:\((?P<_vrf>[^)]*)\))?(?:\])? on (?P<interface>[^:\s]+)(?::\S+)?: "
                r"(?P<old_state>[\w/-]+) -> (?P<new_state>[\w/-]+)(?: \((?P<reason>[^)]*)\))?"},
    # ospf6d: AdjChg: Nbr 2.2.2.2%swp1: Full -> Init (InactivityTimer)
    {"key": "OSPF6D", "type": "ospf_adjacency",
     "pattern": r"AdjChg: Nbr (?P<neighbor>[\d.]+)%(?P<interface>\S+?): (?P<old_state>[\w/-]+) -> (?P<new_state>[\w/-]+)"
                r"(?: \((?P<reason>[^)]*)\))?"},
    # isisd: %ADJCHANGE: Adjacency to spine01 (swp1) for level-2 changed from Up to Down, hold time expired
    {"key": "ADJCHANGE", "type": "isis_adjacency",
     "pattern": r"Adjacency to (?P<neighbor>\S+) \((?P<interface>[^)]+)\)(?: for (?P<level>level-\d))? "
                r"changed from (?P<old_state>\w+) to (?P<new_state>\w+)(?:,\s*(?P<reason>.*?))?\s*$"},
    # bfdd: state-change: [mhop:no peer:10.0.0.2 local:10.0.0.1 vrf:default ifname:swp1] up -> down reason:control-expired
    {"key": "BFDD", "type": "bfd_session",
     "pattern": r"state-change: \[mhop:\S+ peer:(?P<neighbor>\S+)(?: local:\S+)?(?: vrf:(?P<vrf>\S+?))?"
                r"(?: ifname:(?P<interface>\S+?))?\] \w+ -> (?P<state>up|down|admin-down|init)(?: reason:(?P<reason>\S+))?"},
    # watchfrr: bgpd state -> down : read returned EOF  /  Forked background command [pid 123]: /usr/lib/frr/frr restart bgpd
    {"key": "WATCHFRR", "type": "process_restart",
     "pattern": r"(?P<process>\w+d) state -> down : (?P<reason>.*?)\s*$"},
    # ospf6d (FRR 7+): AdjChg: Nbr 10.255.0.2(default) on swp3: Loading -> Full (LoadingDone)
    {"key": "OSPF6D", "type": "ospf_adjacency",
     "pattern": r"AdjChg: Nbr (?P<neighbor>[\d.]+)\((?P<_vrf>[^)]*)\) on (?P<interface>[^:\s]+): "
                r"(?P<old_state>[\w/-]+) -> (?P<new_state>[\w/-]+)(?: \((?P<reason>[^)]*)\))?"},
    # bgpd: 10.10.10.14 [FSM] ConnectRetry_timer_expired (Active->Connect), fd -1  (every FSM transition)
    {"key": "BGPD", "type": "bgp_up", "pattern": _FSM.replace(r"(?P<new_state>\w+)", r"(?P<new_state>Established)")},
    {"key": "BGPD", "type": "bgp_down", "pattern": _FSM.replace(r"(?P<old_state>\w+)", r"(?P<old_state>Established)")},
    {"key": "BGPD", "type": "bgp_state_change", "pattern": _FSM},
    # watchfrr: Forked background command [pid 23345]: /usr/lib/frr/watchfrr.sh restart bgpd
    {"key": "WATCHFRR", "type": "process_restart", "const": {"reason": "restarted by watchfrr"},
     "pattern": r"Forked background command \[pid \d+\]: \S+ restart (?P<process>\w+)"},
]
