"""Webhooks in: the HTTP receiver, Alertmanager and NetBox payloads."""
