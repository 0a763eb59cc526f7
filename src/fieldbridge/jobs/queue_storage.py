"""huey storages where a consumer takes a message with a lease instead of removing it.

huey's own storages delete a message the moment a consumer takes it, so a consumer killed before it
finished loses the message. These keep a taken message, hidden from other consumers, until the consumer
that took it acknowledges it (`ack`) or its lease runs out: then it waits in the queue again for any
consumer. The consumer renews the leases of the messages it holds (`keep`) while it works on them.

Each take gets a random token, and `ack` and `keep` act only while that token is the message's: a
consumer that stalled past its lease, whose message another consumer has taken since, can neither remove
nor keep it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from huey.storage import RedisStorage, SqliteStorage
from redis.exceptions import TimeoutError as RedisTimeout


@dataclass(frozen=True)
class Taken:
    message: bytes
    ref: int | bytes
    """Where the storage keeps the message: its SQLite row id, or in Redis the message itself."""
    token: str


_WAITING = "from task where queue = ? and (taken_until is null or taken_until < ?)"
_FIRST_WAITING = "select id, data " + _WAITING + " order by priority desc, id limit 1"
_COUNT_WAITING = "select count(*) " + _WAITING


class SqliteLeasedStorage(SqliteStorage):  # type: ignore[misc]
    """A taken message stays in huey's `task` table with `taken_until` (a Unix time) and `taken_by` (the
    take's token) set; it is waiting again once `taken_until` has passed."""

    def __init__(self, name: str, lease_seconds: float, **kwargs: Any) -> None:
        self._lease = lease_seconds
        super().__init__(name, **kwargs)

    def initialize_schema(self) -> None:
        super().initialize_schema()
        # A queue file made before messages had leases keeps its waiting messages: add the columns to it.
        with self.db(commit=True, close=True) as cursor:
            columns = {row[1] for row in cursor.execute("pragma table_info(task)")}
            for column, kind in (("taken_until", "real"), ("taken_by", "text")):
                if column not in columns:
                    cursor.execute(f"alter table task add column {column} {kind}")

    def enqueue_all(self, messages: Collection[bytes]) -> None:
        """Several messages in one transaction (huey's `enqueue` commits each on its own)."""
        with self.db(commit=True) as cursor:
            cursor.executemany(
                "insert into task (queue, data, priority) values (?, ?, 0)",
                [(self.name, self.to_blob(message)) for message in messages],
            )

    def take(self) -> Taken | None:
        now = time.time()
        # Consumers poll: look without the exclusive lock first, as huey's own dequeue does.
        if not self.sql(_FIRST_WAITING, (self.name, now), results=True):
            return None
        token = uuid.uuid4().hex
        with self.db(commit=True) as cursor:
            row = cursor.execute(_FIRST_WAITING, (self.name, now)).fetchone()
            if row is None:
                return None
            cursor.execute(
                "update task set taken_until = ?, taken_by = ? where id = ?",
                (now + self._lease, token, row[0]),
            )
        return Taken(bytes(row[1]), row[0], token)

    def ack(self, taken: Taken) -> None:
        self.sql("delete from task where id = ? and taken_by = ?", (taken.ref, taken.token), commit=True)

    def keep(self, held: Collection[Taken]) -> None:
        if not held:
            return
        until = time.time() + self._lease
        with self.db(commit=True) as cursor:
            cursor.executemany(
                "update task set taken_until = ? where id = ? and taken_by = ?",
                [(until, taken.ref, taken.token) for taken in held],
            )

    def queue_size(self) -> int:
        """Messages waiting (not those taken)."""
        rows = self.sql(_COUNT_WAITING, (self.name, time.time()), results=True)
        return int(rows[0][0])


# A taken message's lease in Redis is "<deadline> <token>"; a message taken a moment ago may have none yet.
_ACK = """
local lease = redis.call('HGET', KEYS[2], ARGV[1])
if lease and string.match(lease, ' (.*)$') == ARGV[2] then
    redis.call('LREM', KEYS[1], 1, ARGV[1])
    redis.call('HDEL', KEYS[2], ARGV[1])
end
"""

_KEEP = """
local now, deadline = tonumber(ARGV[1]), ARGV[2]
for i = 3, #ARGV, 2 do
    local lease = redis.call('HGET', KEYS[2], ARGV[i])
    if lease and string.match(lease, ' (.*)$') == ARGV[i + 1] then
        redis.call('HSET', KEYS[2], ARGV[i], deadline .. ' ' .. ARGV[i + 1])
    end
end
local back = 0
for _, message in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
    local lease = redis.call('HGET', KEYS[2], message)
    if not lease then
        -- Taken by a consumer that has not written its lease yet, or died before it could.
        redis.call('HSET', KEYS[2], message, deadline .. ' ')
    elseif tonumber(string.match(lease, '^(%S+)')) < now then
        redis.call('LREM', KEYS[1], 1, message)
        redis.call('HDEL', KEYS[2], message)
        redis.call('RPUSH', KEYS[3], message)
        back = back + 1
    end
end
return back
"""


class RedisLeasedStorage(RedisStorage):  # type: ignore[misc]
    """A consumer takes a message by moving it, in one blocking command (BLMOVE, Redis 6.2+), from huey's
    queue list to a list of taken messages, then writes its lease (deadline and token) in a hash. Every
    consumer's `keep` also moves messages whose lease ran out back to the head of the queue. Messages
    are unique (each carries its huey task id), so the message itself is its key in both."""

    def __init__(self, name: str, lease_seconds: float, **kwargs: Any) -> None:
        self._lease = lease_seconds
        super().__init__(name, **kwargs)
        self.taken_key = f"huey.taken.{self.name}"
        self.leases_key = f"huey.leases.{self.name}"
        self._ack = self.conn.register_script(_ACK)
        self._keep = self.conn.register_script(_KEEP)

    def enqueue_all(self, messages: Collection[bytes]) -> None:
        """Several messages in one command, taken in the order given (as huey's `enqueue` one by one)."""
        self.conn.lpush(self.queue_key, *messages)

    def take(self) -> Taken | None:
        # huey takes from the right end of its list (BRPOP): so do we, and messages come back there too.
        try:
            message = self.conn.blmove(self.queue_key, self.taken_key, self.read_timeout, "RIGHT", "LEFT")
        except RedisTimeout:  # a socket timeout shorter than the wait: nothing came, as huey's dequeue has it
            return None
        if message is None:
            return None
        token = uuid.uuid4().hex
        self.conn.hset(self.leases_key, message, f"{time.time() + self._lease:.3f} {token}")
        return Taken(message, message, token)

    def ack(self, taken: Taken) -> None:
        self._ack(keys=[self.taken_key, self.leases_key], args=[taken.ref, taken.token])

    def keep(self, held: Collection[Taken]) -> None:
        now = time.time()
        pairs = [value for taken in held for value in (taken.ref, taken.token)]
        self._keep(
            keys=[self.taken_key, self.leases_key, self.queue_key],
            args=[f"{now:.3f}", f"{now + self._lease:.3f}", *pairs],
        )
