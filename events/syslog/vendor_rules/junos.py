"""Juniper Junos syslog rules (formats from the Junos System Log Explorer and napalm-logs' junos tests).

    <28>Jun 21 14:03:12  vmx01 rpd[2902]: RPD_BGP_NEIGHBOR_STATE_CHANGED: BGP peer 1.1.1.1 (External AS 2222) changed state from Established to Idle (event AnEvent) (instance master)
"""

from typing import Any

VENDOR = "junos"

_PEER = r"BGP peer (?P<neighbor>\S+) \((?:External|Internal) AS (?P<remote_as>\d+)\) changed state from "
_TAIL = r"(?: \(event (?P<reason>[^)]*)\))?(?: \(instance (?P<vrf>[^)]+)\))?"
_OSPF = (r"OSPF neighbor (?P<neighbor>\S+) \(realm \S+ (?P<interface>\S+) area (?P<area>\S+)\) "
         r"state changed from (?P<old_state>\w+) to (?P<new_state>\w+)(?: due to (?P<reason>.*?))?\s*$")
_LACP_MUX = r"(?P<lag>ae\d+): (?P<interface>\S+): Lacp state changed from \w+ to "

RULES: list[dict[str, Any]] = [
    # SNMP_TRAP_LINK_DOWN: ifIndex 502, ifAdminStatus down(2), ifOperStatus down(2), ifName xe-0/0/0
    {"key": "SNMP_TRAP_LINK_DOWN", "type": "interface_flap", "const": {"layer": "admin", "state": "down"},
     "pattern": r"ifIndex \d+, ifAdminStatus down\(\d\), ifOperStatus \w+\(\d\), ifName (?P<interface>\S+)"},
    {"key": "SNMP_TRAP_LINK_DOWN", "type": "interface_flap", "const": {"layer": "link", "state": "down"},
     "pattern": r"ifIndex \d+, ifAdminStatus \w+\(\d\), ifOperStatus \w+\(\d\), ifName (?P<interface>\S+)"},
    {"key": "SNMP_TRAP_LINK_UP", "type": "interface_flap", "const": {"layer": "link", "state": "up"},
     "pattern": r"ifIndex \d+, ifAdminStatus \w+\(\d\), ifOperStatus \w+\(\d\), ifName (?P<interface>\S+)"},
    # ESWD_BPDU_BLOCK_ERROR_DISABLED: ge-0/0/1.0: bpdu-block disabled port
    {"key": "ESWD_BPDU_BLOCK_ERROR_DISABLED", "type": "interface_flap",
     "const": {"layer": "link", "state": "down", "err_disabled": True, "reason": "bpdu-block"},
     "pattern": r"(?P<interface>[^:\s]+): bpdu-block disabled port"},
    # LACPD_TIMEOUT: ge-0/0/1: lacp current while timer expired current Receive State: CURRENT
    {"key": "LACPD_TIMEOUT", "type": "lag_member", "const": {"state": "down", "reason": "LACP timeout"},
     "pattern": r"(?P<interface>[^:\s]+): lacp current while timer expired"},
    # LACP_INTF_MUX_STATE_CHANGED: ae0: ge-0/0/1: Lacp state changed from ATTACHED to COLLECTING_DISTRIBUTING
    {"key": "LACP_INTF_MUX_STATE_CHANGED", "type": "lag_member", "const": {"state": "up"},
     "pattern": _LACP_MUX + r"COLLECTING_DISTRIBUTING"},
    {"key": "LACP_INTF_MUX_STATE_CHANGED", "type": "lag_member", "const": {"state": "down"},
     "pattern": _LACP_MUX + r"(?P<reason>\w+)"},
    {"key": "RPD_BGP_NEIGHBOR_STATE_CHANGED", "type": "bgp_up",
     "pattern": _PEER + r"(?P<old_state>\w+) to (?P<new_state>Established)" + _TAIL},
    {"key": "RPD_BGP_NEIGHBOR_STATE_CHANGED", "type": "bgp_down",
     "pattern": _PEER + r"(?P<old_state>Established) to (?P<new_state>\w+)" + _TAIL},
    # ... changed state from Active to Connect (event ConnectRetry): not up before, not up now
    {"key": "RPD_BGP_NEIGHBOR_STATE_CHANGED", "type": "bgp_state_change",
     "pattern": _PEER + r"(?P<old_state>\w+) to (?P<new_state>\w+)" + _TAIL},
    # BGP_PREFIX_LIMIT_EXCEEDED: 10.0.0.2 (External AS 65001): Configured maximum prefix-limit(100) exceeded for inet-unicast nlri: 101 (instance master)
    {"key": "BGP_PREFIX_LIMIT_EXCEEDED", "type": "bgp_down", "const": {"reason": "maximum prefix limit exceeded"},
     "pattern": r"(?P<neighbor>\S+) \((?:External|Internal) AS (?P<remote_as>\d+)\): Configured maximum prefix-limit"
                r".*?(?:\(instance (?P<vrf>[^)]+)\))?\s*$"},
    # rpd[1234]: bgp_read_v4_message:10921: NOTIFICATION received from 10.0.0.2 (External AS 65001): code 4 (Hold Timer Expired Error), ...
    {"key": "RPD", "type": "bgp_down",
     "pattern": r"bgp_\w+:\d+: NOTIFICATION (?:received from|sent to) (?P<neighbor>\S+) \((?:External|Internal) AS "
                r"(?P<remote_as>\d+)\): code \d+ \((?P<reason>[^)]*)\)"},
    # UI_COMMIT: User 'luke' requested 'commit' operation (comment: hello)
    {"key": "UI_COMMIT", "type": "config_change",
     "pattern": r"User '(?P<user>[^']+)' requested '(?P<method>[^']+)' operation"},
    # UI_COMMIT_COMPLETED: commit complete
    {"key": "UI_COMMIT_COMPLETED", "type": "config_change", "const": {"method": "commit"},
     "pattern": r".*commit complete"},
    # UI_LOAD_EVENT: User 'admin' is performing a 'rollback 1'  /  'load override'
    {"key": "UI_LOAD_EVENT", "type": "config_change", "const": {"method": "commit", "kind": "rollback"},
     "pattern": r"User '(?P<user>[^']+)' is performing a '(?P<commit_id>rollback(?: \d+)?)'"},
    {"key": "UI_LOAD_EVENT", "type": "config_change", "const": {"method": "load", "kind": "replace"},
     "pattern": r"User '(?P<user>[^']+)' is performing a 'load (?:override|replace)"},
    # UI_COMMIT_CONFIRMED_TIMED: 'commit confirmed' timed out, rolled back to previous configuration
    {"key": "UI_COMMIT_CONFIRMED_TIMED", "type": "config_change", "const": {"method": "commit", "kind": "rollback"},
     "pattern": r".*roll"},
    # RPD_OSPF_NBRDOWN: OSPF neighbor 10.0.0.2 (realm ospf-v2 ge-0/0/0.0 area 0.0.0.0) state changed from Full to Down due to KillNbr (event reason: interface went down)
    {"key": "RPD_OSPF_NBRDOWN", "type": "ospf_adjacency", "pattern": _OSPF},
    {"key": "RPD_OSPF_NBRUP", "type": "ospf_adjacency", "pattern": _OSPF},
    # RPD_ISIS_ADJDOWN: IS-IS lost L2 adjacency to lele on ge-0/0/1.0, reason: Aged Out
    {"key": "RPD_ISIS_ADJDOWN", "type": "isis_adjacency", "const": {"new_state": "Down"},
     "pattern": r"IS-IS lost (?P<level>L\d) adjacency to (?P<neighbor>\S+) on (?P<interface>[^,\s]+)(?:, reason: (?P<reason>.*?))?\s*$"},
    # RPD_ISIS_ADJUP: IS-IS new L2 adjacency to lele on ge-0/0/1.0
    {"key": "RPD_ISIS_ADJUP", "type": "isis_adjacency", "const": {"new_state": "Up"},
     "pattern": r"IS-IS new (?P<level>L\d) adjacency to (?P<neighbor>\S+) on (?P<interface>[^,\s]+)"},
    # BFDD_TRAP_SHOP_STATE_DOWN: local discriminator: 16, new state: down, interface: ge-0/0/0.0, peer addr: 10.0.0.2
    {"key": "BFDD_TRAP_*", "type": "bfd_session",
     "pattern": r"local discriminator: \d+, new state: (?P<state>up|down|admindown|init), "
                r"(?:interface: (?P<interface>[^,\s]+), )?peer addr: (?P<neighbor>\S+)"},
    # UI_CFG_AUDIT_SET: User 'jdoe' set: [protocols bgp group EBGP neighbor 10.0.0.2 peer-as] "65002" -> "65003"
    # UI_CFG_AUDIT_OTHER: User 'jdoe' deleted: [interfaces ge-0/0/1 disable]  (written at commit, one per change)
    {"key": "UI_CFG_AUDIT_*", "type": "config_change", "const": {"method": "commit"},
     "pattern": r"User '(?P<user>[^']+)' (?:set|deleted|activated|deactivated|inserted|renamed|replaced|annotated|added)\b"},
    # UI_COMMIT_NOT_CONFIRMED: Commit was not confirmed; automatic rollback complete
    {"key": "UI_COMMIT_NOT_CONFIRMED", "type": "config_change", "const": {"method": "commit", "kind": "rollback"},
     "pattern": r".*?rollback"},
    # UI_REBOOT_EVENT: System rebooted by 'jdoe' [process id 41280]  /  UI_HALT_EVENT is not a reboot
    {"key": "UI_REBOOT_EVENT", "type": "device_reboot", "const": {"reason": "reboot requested"},
     "pattern": r"System rebooted by '(?P<_user>[^']+)'"},
    # init: routing (PID 2902) terminated by signal number 6. Core dumped!
    {"key": "INIT", "type": "process_restart",
     "pattern": r"(?P<process>[\w-]+) \(PID \d+\) (?P<reason>terminated by signal.*?|exited with status.*?)\.?\s*$"},
    # SNMPD_TRAP_COLD_START: trap_generate_cold: SNMP trap: cold start
    {"key": "SNMPD_TRAP_COLD_START", "type": "device_reboot", "const": {"reason": "cold start"},
     "pattern": r".*cold start"},
]

# The BGP state rules once more without the tag: an RFC 5424 line re-sent as RFC 3164 by a relay
# loses its MSGID and arrives as "rpd[2902]: BGP peer 10.1.1.2 (External AS 65011) changed state ..."
# Junos OS Evolved and the RFC 5424 MSGID of newer releases name the same message BGP_NEIGHBOR_STATE_CHANGED.
RULES += [{**rule, "key": key} for key in ("RPD", "BGP_NEIGHBOR_STATE_CHANGED")
          for rule in RULES if rule["key"] == "RPD_BGP_NEIGHBOR_STATE_CHANGED"]
