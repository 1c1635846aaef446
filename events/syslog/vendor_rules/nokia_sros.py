"""Nokia SR OS syslog rules, from the SR OS Log Events Guide.

An event is ``<seq> <vrtr> <APP>-<SEVERITY>-<eventName>-<id> [<subject>]: <text>`` after ``TMNX:``;
the key is ``APP-EVENTNAME`` (the number and severity are dropped), the rules match ``[subject]: text``::

    <188>Apr 17 17:00:49 pe3 TMNX: 169 Base SNMP-WARNING-linkDown-2004 [1/1/c1/1]:  Interface 1/1/c1/1 is not operational
"""

VENDOR = "nokia_sros"

_BGP_PEER = r"\[[^\]]*\]:\s+(?:VR \d+: )?(?:Group \S+: )?Peer (?:\d+: )?(?P<neighbor>[0-9a-fA-F.:]+?|[^\s:]+):\s+"

RULES = [
    # SNMP-WARNING-linkDown-2004 [Port 1/1/1]: Interface 1/1/1 is not operational
    {"key": "SNMP-LINKDOWN", "type": "interface_flap", "const": {"layer": "link", "state": "down"},
     "pattern": r"\[[^\]]*\]:\s+Interface (?P<interface>\S+) is not operational"},
    # SNMP-WARNING-linkup-2005 [Port 1/1/1]: Interface 1/1/1 is operational
    {"key": "SNMP-LINKUP", "type": "interface_flap", "const": {"layer": "link", "state": "up"},
     "pattern": r"\[[^\]]*\]:\s+Interface (?P<interface>\S+) is operational"},
    # SNMP-WARNING-coldStart-2001 / warmStart-2002
    {"key": "SNMP-COLDSTART", "type": "device_reboot", "const": {"reason": "cold start"}, "pattern": r".*"},
    {"key": "SNMP-WARMSTART", "type": "device_reboot", "const": {"reason": "warm start"}, "pattern": r".*"},
    # LAG-MINOR-tmnxLagMemberOperStateChange-2003 [lag-10]: Port 1/1/4 in lag 10 is down: LACP timeout
    {"key": "LAG-*", "type": "lag_member", "const": {"state": "down"},
     "pattern": r"(?=.*?\b(?P<reason>down|removed|not operational|LACP (?:partner )?timeout|timed out)\b)"
                r".*?[Pp]ort (?P<interface>\d+/\d+/\S+?),? .*?(?:[Ll][Aa][Gg]|lag-?)\s?(?P<lag>\d+)"},
    {"key": "LAG-*", "type": "lag_member", "const": {"state": "up"},
     "pattern": r".*?[Pp]ort (?P<interface>\d+/\d+/\S+?),? .*?(?:[Ll][Aa][Gg]|lag-?)\s?(?P<lag>\d+).*?(?:\bup\b|added|operational)"},
    # BGP-MINOR-bgpEstablished-2001 [Peer 1: 10.1.1.2]: VR 1: Group ebgp: Peer 10.1.1.2: moved into established state
    {"key": "BGP-BGPESTABLISHED", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": _BGP_PEER + r"moved into established state"},
    {"key": "BGP-TBGPPEERNGESTABLISHED", "type": "bgp_up", "const": {"new_state": "Established"},
     "pattern": _BGP_PEER + r"moved into established state"},
    # BGP-MINOR-bgpBackwardTransition-2002 [Peer 1: 10.1.1.2]: VR 1: Group ebgp: Peer 10.1.1.2: moved from higher state ESTABLISHED to lower state IDLE due to event HOLDTIME
    {"key": "BGP-*BACKWARDTRANS*", "type": "bgp_down",
     "pattern": _BGP_PEER + r"moved from higher state (?P<old_state>ESTABLISHED) to lower state (?P<new_state>\w+)"
                r"(?: due to event (?P<reason>\S+))?"},
    {"key": "BGP-*BACKWARDTRANS*", "type": "bgp_state_change",
     "pattern": _BGP_PEER + r"moved from higher state (?P<old_state>\w+) to lower state (?P<new_state>\w+)"
                r"(?: due to event (?P<reason>\S+))?"},
    # BGP-WARNING-sendNotification-2005 / receiveNotification-2006 [Peer 1: 10.1.1.2]: VR 1: Group ebgp: Peer 10.1.1.2: sending notification: code HOLDTIMER subcode UNSPECIFIED
    {"key": "BGP-SENDNOTIFICATION", "type": "bgp_down",
     "pattern": _BGP_PEER + r"sending notification: (?P<reason>.*?)\s*$"},
    {"key": "BGP-RECEIVENOTIFICATION", "type": "bgp_down",
     "pattern": _BGP_PEER + r"received notification: (?P<reason>.*?)\s*$"},
    # BGP-MINOR-tBgpMaxPrefix100-2017 [Peer 1: 10.1.1.2]: ... Peer 10.1.1.2: number of routes learned from peer has exceeded the configured maximum prefix limit
    {"key": "BGP-TBGPMAXPREFIX100", "type": "bgp_down", "const": {"reason": "maximum prefix limit exceeded"},
     "pattern": _BGP_PEER + r".*?(?:exceeded|reached)"},
    # OSPF-MINOR-ospfNbrStateChange-2013 [VR 1 OSPFv2 (0)]: Neighbor 10.1.1.2 on interface toR2 changed state from FULL to DOWN
    {"key": "OSPF-*NBRSTATECHANGE", "type": "ospf_adjacency",
     "pattern": r"\[[^\]]*\]:\s+.*?[Nn]eighbor (?:router-id )?(?P<neighbor>[\d.]+)(?: on interface (?P<interface>[^\s,]+),?)?"
                r".*?state (?:changed )?from (?P<old_state>\w+) to (?P<new_state>\w+)"},
    # ISIS-WARNING-tmnxIsisAdjacencyChange-2045 [VR:  1 ISIS (0) Adjacency state ]:  Adjacency status changed to down for interface: p1, for level: l2, LSP-id: 0100.4605.1011.00-00
    {"key": "ISIS-TMNXISISADJACENCYCHANGE", "type": "isis_adjacency",
     "pattern": r"\[[^\]]*\]:\s+Adjacency status changed to (?P<new_state>\w+) for interface: (?P<interface>[^,]+), "
                r"for level: (?P<level>\w+), LSP-id: (?P<neighbor>[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4})"},
    # BFD-MINOR-tmnxBfdSessionDown-2001 [...]: BFD session on node 1/1 to peer 10.1.1.2 is down
    {"key": "BFD-TMNXBFDSESSIONDOWN", "type": "bfd_session", "const": {"state": "down"},
     "pattern": r"\[[^\]]*\]:\s+(?:.*?interface (?P<interface>[^\s,]+),)?.*?(?:peer|remote(?: address)?|neighbor) (?P<neighbor>[\d.]+|[0-9a-fA-F:]+:[0-9a-fA-F:]+)"
                r"(?:.*?(?:[Rr]eason|diag):? (?P<reason>[\w -]+))?"},
    {"key": "BFD-TMNXBFDSESSIONUP", "type": "bfd_session", "const": {"state": "up"},
     "pattern": r"\[[^\]]*\]:\s+(?:.*?interface (?P<interface>[^\s,]+),)?.*?(?:peer|remote(?: address)?|neighbor) (?P<neighbor>[\d.]+|[0-9a-fA-F:]+:[0-9a-fA-F:]+)"},
    # SYSTEM-WARNING-ssiSaveConfigSucceeded-2002 [Configuration Save Succeeds]: Configuration file saved to: tftp://...
    {"key": "SYSTEM-SSISAVECONFIGSUCCEEDED", "type": "config_change", "const": {"method": "cli", "kind": "saved"},
     "pattern": r".*"},
    # SYSTEM-WARNING-ssiSaveIncrementConfigSucceeded-2110: MD-CLI writes one per commit
    {"key": "SYSTEM-SSISAVEINCREMENTCONFIGSUCCEEDED", "type": "config_change", "const": {"method": "commit"},
     "pattern": r".*?saved to: (?P<commit_id>\S+)?"},
    # SYSTEM-MINOR-tmnxSysRollbackStarted-2071 [rollback]: Rollback to checkpoint 3 started by admin
    {"key": "SYSTEM-TMNXSYSROLLBACK*", "type": "config_change", "const": {"method": "cli", "kind": "rollback"},
     "pattern": r".*?(?:checkpoint|rollback|Rollback)(?: (?P<commit_id>\d+))?"},
    # ISIS-WARNING-vRtrIsisAdjacencyChange-2009 [vRtrID1 isisInstance0]:  Adjacency status changed to up for interface to-p1, level L2, neighbor systemId 0100.0000.0002
    {"key": "ISIS-VRTRISISADJACENCYCHANGE", "type": "isis_adjacency",
     "pattern": r"\[[^\]]*\]:\s+Adjacency status changed to (?P<new_state>\w+) for interface:? (?P<interface>[^,\s]+), "
                r"(?:for )?level:? (?P<level>\w+), (?:neighbor systemId|LSP-id:) "
                r"(?P<neighbor>[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4})"},
    # USER-MINOR-cli_config_io-2011 [admin]:  UsrName: admin  Sid: 17 Host: 10.10.5.21  Cmd: configure port 1/1/4 shutdown
    # (an accounting log of configuration commands; moving between contexts is not a change)
    {"key": "USER-CLI_CONFIG_IO", "type": "config_change", "const": {"method": "cli"},
     "pattern": r"\[[^\]]*\]:\s+UsrName: (?P<user>\S+)\s+Sid: \d+\s+Host: (?P<source_address>\S+)\s+Cmd: "
                r"(?!\s*(?:configure|exit(?: all)?|back|info(?: \S+)?|show .*|/?environment .*|candidate edit|edit-config \S+)\s*$)\S"},
    # MGMT_CORE-MINOR-mdCommitSucceeded-2003 [admin]:  Commit succeeded by admin from 10.10.5.21 in configuration region configure
    {"key": "MGMT_CORE-MDCOMMITSUCCEEDED", "type": "config_change", "const": {"method": "commit"},
     "pattern": r"\[[^\]]*\]:\s+Commit succeeded by (?P<user>\S+)(?: from (?P<source_address>\S+))?"},
    # SYSTEM-MAJOR-tmnxStateChange-2009 [CHASSIS]:  System reboot requested by user admin: admin reboot now
    {"key": "SYSTEM-TMNXSTATECHANGE", "type": "device_reboot",
     "pattern": r"\[[^\]]*\]:\s+(?P<reason>System reboot requested.*?)\s*$"},
]
