"""netcache/metrics"""
