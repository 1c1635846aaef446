"""netcache tasks package."""
