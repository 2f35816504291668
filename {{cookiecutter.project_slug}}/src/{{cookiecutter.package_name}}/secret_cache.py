"""A secret read once per container, reused for a TTL, and re-read when it is refused.

Reading Secrets Manager on every invocation costs a network round trip each time and money per
call; reading it only at init would keep a rotated key forever. This cache does neither: it reads
once (`prefetch` at init, or the first `get`), again once the value is older than the TTL, and
again when the caller reports that the value was refused (a rotated key). Store reads run in a
worker thread, because the store client blocks, and a lock makes overlapping reloads share one
read.
"""

import asyncio
import time
from collections.abc import Callable


class SecretCache:
    """Caches the string that ``fetch`` returns for ``ttl_seconds``.

    Args:
        fetch: Reads the current value from the store; blocking (a boto3 call, for example).
        ttl_seconds: How long a value is reused before the store is read again.
        clock: Monotonic time in seconds; tests pass a fake one.
    """

    def __init__(
        self,
        fetch: Callable[[], str],
        ttl_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create an empty cache; nothing is read until `prefetch` or `get`."""
        self._fetch = fetch
        self._ttl_seconds = ttl_seconds
        self._clock = clock
        self._lock = asyncio.Lock()
        self._value = ""
        self._fetched_at = 0.0
        # Counts reads; 0 means nothing has been read yet. A reload compares it with the
        # number it saw before waiting for the lock, to learn that another caller already
        # reloaded in the meantime.
        self._generation = 0

    def prefetch(self) -> None:
        """Read the value now, blocking.

        Called at init, so a missing or unreadable secret fails the cold start, before any
        message is taken, instead of failing every message.
        """
        self._store(self._fetch())

    async def get(self) -> str:
        """Return the cached value, reading the store first if it is older than the TTL.

        A failed read raises; the caller's message then fails and is retried later.
        """
        if self._generation and self._clock() - self._fetched_at < self._ttl_seconds:
            return self._value
        return await self._reload(seen=self._generation)

    async def refresh(self, refused: str) -> str:
        """Return a value to use instead of ``refused``, reading the store unless one is known.

        The caller's value was refused (it may have been rotated). When several records of a
        batch are refused at once, the first one to get here reads the store and the others
        receive what it read, so one rotation costs one read.
        """
        if self._value != refused:  # replaced since the caller read it
            return self._value
        return await self._reload(seen=self._generation)

    async def _reload(self, seen: int) -> str:
        async with self._lock:
            if self._generation == seen:  # nobody reloaded while this caller waited
                self._store(await asyncio.to_thread(self._fetch))
            return self._value

    def _store(self, value: str) -> None:
        self._value = value
        self._fetched_at = self._clock()
        self._generation += 1
