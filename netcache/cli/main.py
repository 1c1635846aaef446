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
    # the cache (netcache/cli/main.py)
    "report": "netcache.metrics.report:report_command",
    "tune": "netcache.matching.tune:tune_command",
    "chat-demo": "netcache.cli.demo:chat_demo_command",
    "llm-server": "netcache.devtools.messages_server:llm_server_command",
    "openai-server": "netcache.devtools.openai_server:openai_server_command",
    "metrics": "netcache.metrics.server:metrics_command",
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


if __name__ == "__main__":  # python -m netcache.cli.main
    main()
