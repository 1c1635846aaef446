"""netcache/llm"""
