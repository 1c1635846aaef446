"""The cache engine: every operation written once, run by a sync and an asyncio driver.

- :mod:`~netcache.engine.steps`: what a plan asks its driver to do (a pipeline of script
  calls and commands, a sleep, a generation, a locked sub-plan, a background plan);
- :mod:`~netcache.engine.operations` (lookups, puts, leases, get_or_generate, refresh) and
  :mod:`~netcache.engine.admin` (invalidation, entry, top queries, stats, sweep,
  drop_namespace): the plans;
- :mod:`~netcache.engine.logic`: ``CacheLogic``, one cache's state and pure steps, composed of
  :mod:`~netcache.engine.mirror` (the vector index's sync), :mod:`~netcache.engine.leases` and
  :mod:`~netcache.engine.querylog`;
- :mod:`~netcache.engine.api`: the public methods, once; :mod:`~netcache.engine.sync`
  (``AnswerCache``) and :mod:`~netcache.engine.aio` (``AsyncAnswerCache``): the drivers;
- :mod:`~netcache.engine.analysis`, :mod:`~netcache.engine.records`, :mod:`~netcache.engine.tiers`,
  :mod:`~netcache.engine.vector_index`: question analysis, records, tier policy, the index.

The Lua scripts are ``netcache/lua/*.lua``; the keys come from :class:`netcache.keys.Keys`.
"""
