"""netcache cache package."""
