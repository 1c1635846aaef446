"""netcache worker package."""
