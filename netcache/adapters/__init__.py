"""Adapters that put netcache under the frameworks bots are built with (optional extras).

* :mod:`netcache.adapters.langchain`: a LangChain ``BaseCache`` (``pip install netcache[langchain]``);
* :mod:`netcache.adapters.litellm`: a LiteLLM cache backend (``pip install netcache[litellm]``).

Each keys the cache on the human question and passes the rest of the conversation as context,
so what is stored is what the nightly refresh can re-ask. Nothing is imported here: each
adapter needs its framework installed.
"""
