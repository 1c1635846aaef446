"""netcache/devtools"""
