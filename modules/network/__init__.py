"""The environment's private network: where the cache (and later the functions) live."""
