"""Autotask's limits counted in Redis, for deployments whose processes share a Redis (its queue): each
answer is one Lua script, so it is atomic however many processes ask, and timed by Redis's own clock, so the
processes' clocks need not agree.

Keys, under `namespace`: `autotask:flight:<gate>` (a sorted set of the requests in flight, scored by when
their lease ends), `autotask:sent:<user>` (the user's requests in the rolling window, scored by when they were
sent) and `autotask:pause:<user>` (when the user's pause ends). Each expires on its own once idle.
"""

from __future__ import annotations

import uuid
from typing import Any

import redis

from fieldbridge.autotask.limits import BUSY, THREADS_PER_ENDPOINT, Admission, Admitted, Busy, Held

_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1000000 "

_TAKE = (
    _NOW
    + """
local flight, sent, pause = KEYS[1], KEYS[2], KEYS[3]
local threads, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local window, lease = tonumber(ARGV[3]), tonumber(ARGV[4])
local paused = tonumber(redis.call('GET', pause) or '0')
if paused > now then return {'paused', tostring(paused - now)} end
redis.call('ZREMRANGEBYSCORE', flight, '-inf', now)
if redis.call('ZCARD', flight) >= threads then return {'busy', '0'} end
redis.call('ZREMRANGEBYSCORE', sent, '-inf', now - window)
if redis.call('ZCARD', sent) >= limit then
  local oldest = redis.call('ZRANGE', sent, 0, 0, 'WITHSCORES')
  return {'budget', tostring(tonumber(oldest[2]) + window - now)}
end
redis.call('ZADD', flight, now + lease, ARGV[5])
redis.call('EXPIRE', flight, math.ceil(lease) + 60)
redis.call('ZADD', sent, now, ARGV[5])
redis.call('EXPIRE', sent, math.ceil(window) + 60)
return {'admitted', ARGV[5]}
"""
)

_PAUSE = (
    _NOW
    + """
local ends = now + tonumber(ARGV[1])
if tonumber(redis.call('GET', KEYS[1]) or '0') < ends then
  redis.call('SET', KEYS[1], tostring(ends), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
return 1
"""
)

_USED = _NOW + "return redis.call('ZCOUNT', KEYS[1], '(' .. tostring(now - tonumber(ARGV[1])), '+inf')"


class RedisCounts:
    def __init__(self, url: str, namespace: str) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=10)
        self._prefix = f"{namespace}:autotask"
        self._take = self._redis.register_script(_TAKE)
        self._pause = self._redis.register_script(_PAUSE)
        self._used = self._redis.register_script(_USED)

    def take(self, user: str, gate: str, limit: int, window: float, lease: float) -> Admission | Busy:
        keys = [self._flight(gate), self._sent(user), self._paused(user)]
        args: list[Any] = [THREADS_PER_ENDPOINT, limit, window, lease, uuid.uuid4().hex]
        kind, value = (_text(part) for part in self._take(keys, args))
        if kind == "admitted":
            return Admitted(value)
        if kind == "busy":
            return BUSY
        return Held("paused" if kind == "paused" else "budget", float(value))

    def give_back(self, gate: str, token: str) -> None:
        self._redis.zrem(self._flight(gate), token)

    def pause(self, user: str, seconds: float) -> None:
        self._pause([self._paused(user)], [seconds])

    def used(self, user: str, window: float) -> int:
        return int(self._used([self._sent(user)], [window]))

    def close(self) -> None:
        self._redis.close()

    def _flight(self, gate: str) -> str:
        return f"{self._prefix}:flight:{gate}"

    def _sent(self, user: str) -> str:
        return f"{self._prefix}:sent:{user}"

    def _paused(self, user: str) -> str:
        return f"{self._prefix}:pause:{user}"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
