"""Every error netcache raises on purpose.

    NetcacheError
    ├── ConfigError            (ValueError) settings, a request or a data file are invalid
    ├── BackendUnavailable     Redis (or another backing service) cannot be reached
    ├── LLMError               the LLM call failed after retries
    │   └── BudgetExceeded     a warming budget (calls or dollars) is spent
    ├── LeaseTimeout           waited for another process's generation and gave up
    ├── EventError             (ValueError) an event is malformed, unknown or fails validation
    │   └── ParseError         a raw message (syslog, webhook body) cannot be decoded
    ├── AuthError              a request lacks valid authentication
    └── PushError              a Netmiko config push failed; nothing was published

Caller mistakes (``ConfigError``, ``EventError`` and ``ParseError``) are also ``ValueError``s,
so code that does not know netcache, such as a web framework's error handler, answers them as
bad input (HTTP 400), not as a server fault (500). tests/test_errors.py checks this tree.
"""

from __future__ import annotations

__all__ = [
    "NetcacheError",
    "ConfigError",
    "BackendUnavailable",
    "LLMError",
    "BudgetExceeded",
    "LeaseTimeout",
    "EventError",
    "ParseError",
    "AuthError",
    "PushError",
]


class NetcacheError(Exception):
    """Root of every netcache error."""


class ConfigError(NetcacheError, ValueError):
    """Settings, a cache request, a rules file or an inventory file are invalid."""


class BackendUnavailable(NetcacheError):
    """Redis (or another backing service) cannot be reached right now."""


class LLMError(NetcacheError):
    """The LLM call failed after the client's retries."""


class BudgetExceeded(LLMError):
    """A warming budget (calls or dollars) is spent for this run or day."""


class LeaseTimeout(NetcacheError):
    """Waited for another process's generation of the same answer and gave up."""


class EventError(NetcacheError, ValueError):
    """An event is malformed, of an unknown type, or fails validation."""


class ParseError(EventError):
    """A raw message (syslog line, webhook body) cannot be decoded."""


class AuthError(NetcacheError):
    """A request lacks valid authentication (token or signature)."""


class PushError(NetcacheError):
    """A Netmiko config push failed; no config_change event was published."""
