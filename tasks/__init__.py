"""netcache tasks: the Celery app, gradual invalidation, warming, refresh and the beat schedule.

The logic lives in plain functions (``tasks.invalidation``, ``tasks.warming``,
``tasks.refresh``, ``tasks.budget``); ``tasks.app.make_app(settings)`` wraps
them as Celery tasks; ``tasks.cli`` holds the operator commands.
"""
