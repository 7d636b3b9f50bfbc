"""Django's Redis cache backend, with one Redis client per connection pool.

Django's backend builds a new `redis.Redis` client for every cache operation. With redis-py 8 that
costs more Python time than the round trip to Redis (the client sets up its response callbacks
each time), and a page makes several cache operations: on a page served from the page cache it
was a large share of the request. A client is safe to share between threads (each command takes a
connection from the pool), so one is built per pool and kept.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
