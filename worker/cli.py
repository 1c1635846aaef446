"""The ``netcache`` command: one entry point, subcommands loaded lazily.

Each package owns its commands (see COMMANDS); this module only maps names to them, so
``netcache --help`` stays fast and a broken optional part cannot stop the rest.
"""

from __future__ import annotations

import importlib

import click

__all__ = ["main", "COMMANDS"]

#: command name → "module:attribute" of a click command or group
COMMANDS: dict[str, str] = {
    # the cache (cache/cli.py)
    "report": "cache.report:report_command",
    "tune": "cache.tune:tune_command",
    "chat-demo": "cache.demo:chat_demo_command",
    "llm-server": "cache.llm_server:llm_server_command",
    "metrics": "cache.metrics_server:metrics_command",
    # events in (events/cli.py)
    "events": "events.cli:events_group",
    "syslog": "events.syslog_listener:syslog_command",
    "webhook": "events.webhook:webhook_command",
    "push": "events.netmiko_push:push_command",
    # the worker (worker/commands.py, tasks/cli.py, worker/stack.py)
    "dispatcher": "worker.commands:dispatcher",
    "invalidate": "tasks.cli:invalidate",
    "warm": "tasks.cli:warm",
    "refresh-top": "tasks.cli:refresh_top",
    "status": "worker.commands:status",
    "dead-letters": "worker.commands:dead_letters",
    "health": "worker.commands:health",
    "celery-worker": "tasks.cli:celery_worker",
    "beat": "tasks.cli:beat",
    "stack": "worker.stack:stack_command",
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
            @click.command(name=name, help=f"(unavailable: {e})")
            def _unavailable() -> None:
                raise click.ClickException(f"`netcache {name}` is not available in this build: {e}")

            return _unavailable


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """netcache: a safe LLM answer cache for network operations.

    Answers are cached with network entities (devices, interfaces, IPs, ASNs,
    VLANs, VRFs) as hard filters, and invalidated when the network changes.
    Configure with NETCACHE_* environment variables (see README.md), e.g.
    NETCACHE_REDIS_URL=redis://:password@host:6379/0.
    """


if __name__ == "__main__":  # python -m worker.cli
    main()
