"""Syslog in: framing (RFC 6587), parsing (RFC 3164/5424 and vendor rules), the listener."""
