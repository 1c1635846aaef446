"""netcache tasks: the Celery app, gradual invalidation, warming, refresh and the beat schedule.

The logic lives in plain functions (``netcache.tasks.invalidation``, ``netcache.tasks.warming``,
``netcache.tasks.refresh``, ``netcache.tasks.budget``); ``netcache.tasks.app.make_app(settings)`` wraps
them as Celery tasks; ``netcache.tasks.cli`` holds the operator commands.
"""
