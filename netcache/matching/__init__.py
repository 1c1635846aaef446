"""netcache/matching"""
