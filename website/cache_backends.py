"""Django's Redis cache backend, with one Redis client per connection pool and a plainer MGET.

Django's backend builds a new `redis.Redis` client for every cache operation. With redis-py 8 that
costs more Python time than the round trip to Redis (the client sets up its response callbacks
each time), and a page makes several cache operations: on a page served from the page cache it
was a large share of the request. A client is safe to share between threads (each command takes a
connection from the pool), so one is built per pool and kept.

`get_many` is the one read of a page served from the page cache (website/cache.py), so it sends
its MGET on a pooled connection itself: redis-py's command machinery around it (retry policy,
observability hooks, response callbacks) cost as much as the round trip. A broken connection is
reconnected and the command sent once more, as redis-py's default retry does. Replies are parsed
by hiredis (redis-py's C parser, `redis[hiredis]`).
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


class ReusedClientRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def get_many(self, keys):
        keys = list(keys)
        if not keys:
            return {}
        pool = self._get_connection_pool(write=False)
        connection = pool.get_connection()
        try:
            try:
                connection.send_command("MGET", *keys)
                values = connection.read_response()
            except (RedisConnectionError, RedisTimeoutError):
                connection.disconnect()  # the next command connects again
                connection.send_command("MGET", *keys)
                values = connection.read_response()
        except BaseException:
            connection.disconnect()  # never hand back a connection with a reply left unread
            raise
        finally:
            pool.release(connection)
        loads = self._serializer.loads
        return {
            key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None
        }


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
