"""netcache events package."""
