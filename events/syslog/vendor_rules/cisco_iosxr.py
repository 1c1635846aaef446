"""Cisco IOS-XR syslog rules (formats as in napalm-logs' iosxr tests).

    <187>94307: gw2.acy1 LC/0/2/CPU0:Jul  7 20:16:14.834 : ifmgr[214]: %PKT_INFRA-LINK-3-UPDOWN : Interface TenGigE0/2/0/4, changed state to Down
"""

VENDOR = "cisco_iosxr"

_AS_VRF = r"(?: \(VRF: (?P<vrf>[^)]+)\))?(?: \(AS: (?P<remote_as>\d+)\))?"

RULES = [
    {"key": "PKT_INFRA-LINK-UPDOWN", "type": "interface_flap", "const": {"layer": "admin"},
     "pattern": r"Interface (?P<interface>[^,\s]+), changed state to Administratively (?P<state>Down|Up)"},
    {"key": "PKT_INFRA-LINK-UPDOWN", "type": "interface_flap", "const": {"layer": "link"},
     "pattern": r"Interface (?P<interface>[^,\s]+), changed state to (?P<state>Down|Up)"},
    # %PKT_INFRA-LINEPROTO-5-UPDOWN : Line protocol on Interface GigabitEthernet0/0/0/0, changed state to Down
    {"key": "PKT_INFRA-LINEPROTO-UPDOWN", "type": "interface_flap", "const": {"layer": "lineproto"},
     "pattern": r"Line protocol on Interface (?P<interface>[^,\s]+), changed state to (?P<state>Down|Up)"},
    # %ROUTING-BGP-5-ADJCHANGE : neighbor 10.0.0.2 Up (VRF: default) (AS: 65001)
    {"key": "ROUTING-BGP-ADJCHANGE", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": rf"neighbor (?P<neighbor>\S+) Up{_AS_VRF}"},
    # %ROUTING-BGP-5-ADJCHANGE : neighbor 10.0.0.2 Down - BGP Notification sent, hold time expired (VRF: default) (AS: 65001)
    {"key": "ROUTING-BGP-ADJCHANGE", "type": "bgp_down", "const": {"old_state": "Established"},
     "pattern": rf"neighbor (?P<neighbor>\S+) Down(?: - (?P<reason>.*?))?{_AS_VRF}\s*$"},
    # %MGBL-CONFIG-6-DB_COMMIT : Configuration committed by user 'vagrant'. Use 'show configuration commit changes 1000000093' to view the changes.
    {"key": "MGBL-CONFIG-DB_COMMIT", "type": "config_change", "const": {"method": "commit"},
     "pattern": r"Configuration committed by user '(?P<user>[^']+)'\.(?: Use 'show configuration commit changes (?P<commit_id>\S+)')?"},
    # %ROUTING-ISIS-5-ADJCHANGE : Adjacency to gw1.nyc1 (TenGigE1/2/0/8.92) (L2) Down, Interface state down
    {"key": "ROUTING-ISIS-ADJCHANGE", "type": "isis_adjacency",
     "pattern": r"Adjacency to (?P<neighbor>\S+) \((?P<interface>[^)]+)\) \((?P<level>L\d)\) "
                r"(?P<new_state>Up|Down|Init)(?:,\s*(?P<reason>.*?))?\s*$"},
]
