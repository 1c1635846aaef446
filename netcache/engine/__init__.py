"""netcache/engine"""
