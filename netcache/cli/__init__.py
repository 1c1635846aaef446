"""netcache/cli"""
