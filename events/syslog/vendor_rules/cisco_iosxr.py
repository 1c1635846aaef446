"""Cisco IOS-XR syslog rules (formats from the IOS XR System Message Guide and napalm-logs' iosxr tests).

    <187>94307: gw2.acy1 LC/0/2/CPU0:Jul  7 20:16:14.834 : ifmgr[214]: %PKT_INFRA-LINK-3-UPDOWN : Interface TenGigE0/2/0/4, changed state to Down
"""

VENDOR = "cisco_iosxr"

_AS_VRF = r"(?: \(VRF: (?P<vrf>[^)]+)\))?(?: \(AS: (?P<remote_as>\d+)\))?(?: \(AFI/SAFI: [^)]*\))?"
_OSPF = (r"Process (?P<_process>\S+), Nbr (?P<neighbor>\S+) on (?P<interface>\S+)(?: in area (?P<area>\S+))? "
         r"from (?P<old_state>[\w/-]+) to (?P<new_state>[\w/-]+),\s*(?P<reason>(?:(?!, vrf \S+ vrfid )[^\n])*)")

RULES = [
    {"key": "PKT_INFRA-LINK-UPDOWN", "type": "interface_flap", "const": {"layer": "admin"},
     "pattern": r"Interface (?P<interface>[^,\s]+), changed state to Administratively (?P<state>Down|Up)"},
    {"key": "PKT_INFRA-LINK-UPDOWN", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": r"Interface (?P<interface>[^,\s]+), changed state to (?P<state>Down|Up)"},
    # %PKT_INFRA-LINEPROTO-5-UPDOWN : Line protocol on Interface GigabitEthernet0/0/0/0, changed state to Down
    {"key": "PKT_INFRA-LINEPROTO-UPDOWN", "type": "interface_flap", "const": {"layer": "lineproto"},
     "pattern": r"Line protocol on Interface (?P<interface>[^,\s]+), changed state to (?P<state>Down|Up)"},
    # %L2-BM-6-ACTIVE : GigabitEthernet0/0/0/1 is Active as part of Bundle-Ether1
    {"key": "L2-BM-ACTIVE", "type": "lag_member", "const": {"state": "down"},
     "pattern": r"(?P<interface>\S+) is no longer Active as part of (?P<lag>\S+?)(?: \((?P<reason>[^)]*)\))?\s*$"},
    {"key": "L2-BM-ACTIVE", "type": "lag_member", "const": {"state": "up"},
     "pattern": r"(?P<interface>\S+) is Active as part of (?P<lag>\S+)"},
    # %ROUTING-BGP-5-ADJCHANGE : neighbor 10.0.0.2 Up (VRF: default) (AS: 65001)
    {"key": "ROUTING-BGP-ADJCHANGE", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": rf"neighbor (?P<neighbor>\S+) Up{_AS_VRF}"},
    # %ROUTING-BGP-5-ADJCHANGE : neighbor 10.0.0.2 Down - BGP Notification sent, hold time expired (VRF: default) (AS: 65001)
    {"key": "ROUTING-BGP-ADJCHANGE", "type": "bgp_down", "const": {"old_state": "Established"},
     "pattern": rf"neighbor (?P<neighbor>\S+) Down(?: - (?P<reason>.*?))?{_AS_VRF}\s*$"},
    # %ROUTING-BGP-3-MAXPFXEXCEED : No. of IPv4 Unicast prefixes received from 10.0.0.2 has reached 101, max 100
    {"key": "ROUTING-BGP-MAXPFXEXCEED", "type": "bgp_down", "const": {"reason": "maximum prefix limit exceeded"},
     "pattern": r"No\. of .*? received from (?P<neighbor>\S+?):? has reached"},
    # %ROUTING-BGP-3-NOTIFICATION : sent to neighbor 10.0.0.2 4/0 (hold time expired) 0 bytes (VRF: default)
    {"key": "ROUTING-BGP-NOTIFICATION", "type": "bgp_down",
     "pattern": r"(?:sent to|received from) neighbor (?P<neighbor>\S+)(?: (?P<_code>\d+/\d+))? \((?P<reason>[^)]*)\)"
                r".*?" + _AS_VRF + r"\s*$"},
    # %ROUTING-OSPF-5-ADJCHG : Process 1, Nbr 10.0.0.2 on GigabitEthernet0/0/0/0 in area 0 from LOADING to FULL, Loading Done, vrf default vrfid 0x60000000
    {"key": "ROUTING-OSPF-ADJCHG", "type": "ospf_adjacency", "pattern": _OSPF},
    {"key": "ROUTING-OSPFV3-ADJCHG", "type": "ospf_adjacency", "pattern": _OSPF},
    # %ROUTING-ISIS-5-ADJCHANGE : Adjacency to gw1.nyc1 (TenGigE1/2/0/8.92) (L2) Down, Interface state down
    {"key": "ROUTING-ISIS-ADJCHANGE", "type": "isis_adjacency",
     "pattern": r"Adjacency to (?P<neighbor>\S+) \((?P<interface>[^)]+)\) \((?P<level>L\d)\) "
                r"(?P<new_state>Up|Down|Init)(?:,\s*(?P<reason>.*?))?\s*$"},
    # %L2-BFD-6-SESSION_STATE_DOWN : BFD session to neighbor 10.0.0.2 on interface GigabitEthernet0/0/0/0 has gone down. Reason: Nbor signalled down
    {"key": "L2-BFD-SESSION_STATE_DOWN", "type": "bfd_session", "const": {"state": "down"},
     "pattern": r"BFD session to neighbor (?P<neighbor>\S+) on interface (?P<interface>\S+) has gone down"
                r"(?:\. Reason: (?P<reason>.*?)\.?)?\s*$"},
    {"key": "L2-BFD-SESSION_STATE_UP", "type": "bfd_session", "const": {"state": "up"},
     "pattern": r"BFD session to neighbor (?P<neighbor>\S+) on interface (?P<interface>\S+) is up"},
    # %MGBL-CONFIG-6-DB_COMMIT : Configuration committed by user 'vagrant'. Use 'show configuration commit changes 1000000093' to view the changes.
    {"key": "MGBL-CONFIG-DB_COMMIT", "type": "config_change", "const": {"method": "commit"},
     "pattern": r"Configuration committed by user '(?P<user>[^']+)'\.(?: Use 'show configuration commit changes (?P<commit_id>\S+)')?"},
    # %MGBL-CONFIG-6-DB_COMMIT_ADMIN : Configuration committed by user 'root'. Use 'show configuration commit changes 2000000009' ...
    {"key": "MGBL-CONFIG-DB_COMMIT_ADMIN", "type": "config_change", "const": {"method": "commit"},
     "pattern": r"Configuration committed by user '(?P<user>[^']+)'\.(?: Use 'show configuration commit changes (?P<commit_id>\S+)')?"},
    # %MGBL-CONFIG-6-ROLLBACK : Configuration rolled back to commit 1000000090 by user 'admin'
    {"key": "MGBL-CONFIG-ROLLBACK", "type": "config_change", "const": {"method": "commit", "kind": "rollback"},
     "pattern": r"Configuration rolled back(?: to commit (?P<commit_id>\S+))?(?: by user '(?P<user>[^']+)')?"},
    # %OS-SYSMGR-4-PROC_RESTART_NAME : User admin (con0_RP0_CPU0) requested a restart of process bgp at 0/RP0/CPU0
    {"key": "OS-SYSMGR-PROC_RESTART_NAME", "type": "process_restart", "const": {"reason": "restart requested"},
     "pattern": r"User (?P<_user>\S+) .*?requested a restart of process (?P<process>\S+)"},
    # %OS-SYSMGR-3-ERROR : bgp(1) (jid 1052) abnormally terminated, restart scheduled
    {"key": "OS-SYSMGR-ERROR", "type": "process_restart",
     "pattern": r"(?P<process>[\w-]+)(?:\(\d+\))? \(jid \d+\)(?: \(pid \d+\))?(?: \(fail_count \d+\))? "
                r"(?P<reason>abnormally terminated.*?)\s*$"},
    # %OS-SYSMGR-5-NOTICE : Card is COLD started
    {"key": "OS-SYSMGR-NOTICE", "type": "device_reboot", "const": {"reason": "cold start"},
     "pattern": r"Card is COLD started"},
    # %PKT_INFRA-LINK-5-CHANGED : Interface TenGigE0/0/0/7, changed state to Administratively Down
    {"key": "PKT_INFRA-LINK-CHANGED", "type": "interface_flap", "const": {"layer": "admin"},
     "pattern": r"Interface (?P<interface>[^,\s]+), changed state to Administratively (?P<state>Down|Up)"},
    # %ROUTING-BGP-5-ADJCHANGE_DETAIL : neighbor 10.0.0.9 Down - User clear requested (CEASE notification sent - administrative reset) (VRF: default) (AS: 65001) (AFI/SAFI: 1/1)
    {"key": "ROUTING-BGP-ADJCHANGE_DETAIL", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": rf"neighbor (?P<neighbor>\S+) Up{_AS_VRF}"},
    {"key": "ROUTING-BGP-ADJCHANGE_DETAIL", "type": "bgp_down", "const": {"old_state": "Established"},
     "pattern": rf"neighbor (?P<neighbor>\S+) Down(?: - (?P<reason>.*?))?{_AS_VRF}\s*$"},
    # %L2-BM-5-MBR_EXPIRED : TenGigE0/0/0/5 is Expired as no LACPDUs have been received from the partner for the current timeout period
    {"key": "L2-BM-MBR_EXPIRED", "type": "lag_member", "const": {"state": "down", "reason": "LACP timeout"},
     "pattern": r"(?P<interface>\S+) is Expired"},
    # %MGBL-SYS-5-CONFIG_I : Configured from console by netops on vty1 (10.10.5.21)
    {"key": "MGBL-SYS-CONFIG_I", "type": "config_change", "const": {"method": "cli"},
     "pattern": r"Configured from (?P<_from>\S+) by (?P<user>\S+?)(?: on (?P<_line>\S+?))?"
                r"(?: \((?P<source_address>[^)]+)\))?\s*$"},
]
