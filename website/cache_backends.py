"""Django's Redis cache backend, with one Redis client per connection pool and a plainer MGET.

Django's backend builds a new `redis.Redis` client for every cache operation. With redis-py 8 that
costs more Python time than the round trip to Redis (the client sets up its response callbacks
each time), and a page makes several cache operations: on a page served from the page cache it
was a large share of the request. A client is safe to share between threads (each command takes a
connection from the pool), so one is built per pool and kept.

`get_many` is the one read of a page served from the page cache (website/cache.py), so it sends
its MGET on a pooled connection itself: redis-py's command machinery around it (retry policy,
observability hooks, response callbacks) cost as much as the round trip. A broken connection is
reconnected and the command sent once more (redis-py would retry a few times with back-off; a
cache read that fails is a page rendered, never an error). Replies are parsed
by hiredis (redis-py's C parser, `redis[hiredis]`).

`VersionWatch` keeps the page cache's versions in each process while Redis announces their changes
(pub/sub), so that a page served from the page cache costs no round trip at all.
"""

import contextlib
import logging
import os
import threading
import time

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


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


class VersionWatch:
    """Values of some keys kept in this process while Redis announces every change to them.

    The page cache reads two versions from Redis on every request (website/cache.py). With a
    watch, a process keeps the versions it read, subscribed to a channel on which every purge
    announces the keys it changed (`announce`). Before each use the process takes the
    announcements waiting on its subscription's socket without waiting (`current`), so a purge
    anywhere is seen by the next request in every process, without a round trip to Redis:
    Redis writes the announcement to every subscriber as it answers the purging process, and
    that process answers its own client (the editor who published) only after that.

    Kept values are dropped, and read from Redis again, when the subscription is lost or cannot be
    made (a value read before the subscription is never kept; a failed subscription is tried
    again `hold` seconds later), when an announcement arrives while a value is being read, and
    at the latest `hold` seconds after they were read: a connection that dies without a word (a
    firewall dropping idle connections) delays a purge by at most that long in this process.
    With `hold` 0 the watch keeps nothing but still announces.
    """

    LIMIT = 10000  # keys kept at most

    def __init__(self, backend, channel, hold):
        self.backend, self.channel, self.hold = backend, channel, hold
        self.connection, self.pid = None, None
        self.held = {}  # key: (value, monotonic time it was read)
        self.generation = 0  # changes whenever kept values may have become untrue
        self.lock = threading.Lock()
        self.retry_at = 0.0  # after a failed subscription: not before this monotonic time

    def current(self, keys):
        """(values kept for those of `keys` still current, generation to pass to `keep`)."""
        if self.hold <= 0:
            return {}, None  # announces, keeps nothing
        with self.lock:
            self._take_announcements()
            if self.connection is None:
                return {}, None
            oldest = time.monotonic() - self.hold
            found = {}
            for key in keys:
                kept = self.held.get(key)
                if kept is not None and kept[1] > oldest:
                    found[key] = kept[0]
            return found, self.generation

    def keep(self, values, generation):
        """Keep `values`, read from Redis after `current` returned `generation`."""
        if generation is None or not values:
            return
        now = time.monotonic()
        with self.lock:
            if generation == self.generation and self.connection is not None:
                if len(self.held) >= self.LIMIT:  # paths of many pages: start again
                    self.held.clear()
                self.held.update((key, (value, now)) for key, value in values.items())

    def announce(self, keys=None):
        """Tell every watching process that `keys` (None: every key) changed, this one at once."""
        with self.lock:
            self.generation += 1
            if keys is None:
                self.held.clear()
            for key in keys or ():
                self.held.pop(key, None)
        payload = "*" if keys is None else "\n".join(keys)
        self.backend._cache.get_client(write=True).publish(self._channel(), payload)

    def _channel(self):
        # Channels are server-wide, keys are per database: both in the name
        database = self.backend._cache._get_connection_pool(write=True).connection_kwargs.get("db")
        return f"{self.backend.make_key(self.channel)}:db{database or 0}"

    def _forget(self):
        self.held.clear()
        self.generation += 1

    def _lose(self):
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.disconnect()
        self.connection = None
        self._forget()

    def _take_announcements(self):
        if self.pid != os.getpid():  # a forked worker never shares its parent's subscription
            self.connection, self.pid = None, os.getpid()
            self._forget()
        subscribing = self.connection is None
        try:
            if subscribing:
                if time.monotonic() < self.retry_at:
                    return
                self._subscribe()
            while self.connection.can_read(timeout=0):
                reply = self.connection.read_response(push_request=True)
                if not isinstance(reply, list | tuple) or len(reply) < 3 or reply[0] != b"message":
                    continue  # other push messages (server notices) and replies
                data = reply[2]
                self.generation += 1
                if data == b"*":
                    self.held.clear()
                else:
                    for key in data.decode().split("\n"):
                        self.held.pop(key, None)
        except Exception:
            logger.warning(
                "Subscription to %s failed or lost: versions are read from Redis meanwhile",
                self.channel,
                exc_info=True,
            )
            self._lose()
            if subscribing:  # else a lost subscription: made again at the next request
                self.retry_at = time.monotonic() + self.hold

    def _subscribe(self):
        pool = self.backend._cache._get_connection_pool(write=False)
        connection = pool.connection_class(**pool.connection_kwargs)
        try:
            connection.send_command("SUBSCRIBE", self._channel())
            reply = connection.read_response(push_request=True)
            if reply[0] != b"subscribe":
                raise RedisConnectionError(f"unexpected reply to SUBSCRIBE: {reply!r}")
        except Exception:
            connection.disconnect()
            raise
        self.connection = connection
        self._forget()
