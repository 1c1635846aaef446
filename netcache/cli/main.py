"""The ``netcache`` command: one entry point, subcommands loaded lazily.

Each package owns its commands (see COMMANDS); this module only maps names to them, so
``netcache --help`` stays fast and a broken optional part cannot stop the rest.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import click

__all__ = ["main", "COMMANDS"]

#: command name → "module:attribute" of a click command or group
COMMANDS: dict[str, str] = {
    # the cache (netcache/cli/main.py)
    "report": "netcache.metrics.report:report_command",
    "tune": "netcache.cli.tune:tune_command",
    "inventory": "netcache.inventory:inventory_group",
    "chat-demo": "netcache.cli.demo:chat_demo_command",
    "llm-server": "netcache.devtools.messages_server:llm_server_command",
    "openai-server": "netcache.devtools.openai_server:openai_server_command",
    "metrics": "netcache.worker.metrics:metrics_command",
    # events in (events/cli.py)
    "events": "netcache.events.cli:events_group",
    "syslog": "netcache.events.syslog.listener:syslog_command",
    "webhook": "netcache.events.webhooks.server:webhook_command",
    "push": "netcache.events.netmiko_push:push_command",
    # the worker (worker/commands.py, tasks/cli.py, worker/stack.py)
    "dispatcher": "netcache.worker.commands:dispatcher",
    "invalidate": "netcache.tasks.cli:invalidate",
    "warm": "netcache.tasks.cli:warm",
    "refresh-top": "netcache.tasks.cli:refresh_top",
    "status": "netcache.worker.commands:status",
    "dead-letters": "netcache.worker.commands:dead_letters",
    "health": "netcache.worker.commands:health",
    "celery-worker": "netcache.tasks.cli:celery_worker",
    "beat": "netcache.tasks.cli:beat",
    "stack": "netcache.worker.stack:stack_command",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
            return getattr(module, attr)
        except (ImportError, AttributeError) as e:
            why = str(e)  # `e` is unbound once the except block ends; the command runs later

            @click.command(name=name, help=f"(unavailable: {why})")
            def _unavailable() -> None:
                raise click.ClickException(f"`netcache {name}` is not available in this build: {why}")

            return _unavailable

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; an error it did not handle becomes one line and exit 1
        (what failed and what to do), not a traceback. ``NETCACHE_DEBUG=1`` shows the traceback."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt, SystemExit):
            raise
        except Exception as e:
            if os.environ.get("NETCACHE_DEBUG"):
                raise
            raise click.ClickException(one_line_error(e)) from e


def one_line_error(e: BaseException) -> str:
    """What an operator reads when a command fails: the kind of failure, the cause, what to do."""
    from pydantic import ValidationError
    from redis.exceptions import AuthenticationError, RedisError

    from netcache.errors import NetcacheError
    from netcache.settings import describe_settings_error

    if isinstance(e, ValidationError):
        return f"bad setting: {describe_settings_error(e)}"
    if isinstance(e, AuthenticationError):
        return ("Redis refused the password: check the password in NETCACHE_REDIS_URL "
                "(redis://:PASSWORD@host:6379/0)")
    if isinstance(e, RedisError | ConnectionError | TimeoutError):
        detail = str(e).splitlines()[0] if str(e) else type(e).__name__
        return (f"Redis is unreachable ({detail}): start Redis or point NETCACHE_REDIS_URL "
                "(and NETCACHE_WORKER__BROKER_URL) at it")
    if isinstance(e, NetcacheError):
        return str(e).splitlines()[0] if str(e) else type(e).__name__
    return f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else 'unexpected error'} (NETCACHE_DEBUG=1 shows the traceback)"


def _check_environment(ctx: click.Context, _param: Any, value: bool) -> bool:
    """Refuse misspelt NETCACHE_* variables and invalid settings before any command runs."""
    from netcache.settings import unknown_env_vars

    if ctx.resilient_parsing or value or os.environ.get("NETCACHE_ALLOW_UNKNOWN_ENV"):
        return value
    wrong = unknown_env_vars()
    if wrong:
        name, close = wrong[0]
        hint = f"did you mean {close}?" if close else "no setting has that name (README.md lists them)"
        more = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
        raise click.ClickException(f"unknown variable {name}{more}: {hint} "
                               "(set NETCACHE_ALLOW_UNKNOWN_ENV=1 to ignore)")
    return value


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("netcache")
    except PackageNotFoundError:
        return "unknown"


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=_version(), prog_name="netcache", message="%(prog)s %(version)s")
@click.option("--allow-unknown-env", is_flag=True, expose_value=False, is_eager=True, callback=_check_environment,
              help="Do not refuse NETCACHE_* variables that no setting reads.")
def main() -> None:
    """netcache: a safe LLM answer cache for network operations.

    Answers are cached with network entities (devices, interfaces, IPs, ASNs,
    VLANs, VRFs) as hard filters, and invalidated when the network changes.
    Configure with NETCACHE_* environment variables (see README.md), e.g.
    NETCACHE_REDIS_URL=redis://:password@host:6379/0.
    """


if __name__ == "__main__":  # python -m netcache.cli.main
    main()
