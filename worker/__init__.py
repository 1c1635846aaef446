"""netcache worker: the events-stream dispatcher, coalescing, the rules table, dead letters, health.

Modules: ``consumer`` (the dispatcher loop), ``coalesce`` (shared windows),
``rules`` (event → actions, data in ``rules_default.yaml``), ``deadletter``,
``health`` (health keys and ``status``), ``commands`` (the CLI commands),
``cli`` (the ``netcache`` entry point). Nothing is imported here, so
``netcache --help`` stays fast.
"""

__all__: list[str] = []
