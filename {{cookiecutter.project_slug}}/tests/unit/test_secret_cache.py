import asyncio
import threading

import pytest

from {{ cookiecutter.package_name }}.secret_cache import SecretCache

TTL_SECONDS = 300


class FakeStore:
    """A secret store that counts reads; ``value`` is what the next read returns."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.reads = 0
        self.read_threads: list[int] = []

    def fetch(self) -> str:
        self.reads += 1
        self.read_threads.append(threading.get_ident())
        return self.value


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store() -> FakeStore:
    return FakeStore("key-1")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cache(store, clock) -> SecretCache:
    cache = SecretCache(store.fetch, ttl_seconds=TTL_SECONDS, clock=clock)
    cache.prefetch()
    return cache


def test_prefetch_reads_the_store_once(cache, store):
    assert store.reads == 1
    assert asyncio.run(cache.get()) == "key-1"
    assert store.reads == 1


def test_a_failing_prefetch_raises():
    def unreadable() -> str:
        raise PermissionError("AccessDenied")

    with pytest.raises(PermissionError, match="AccessDenied"):
        SecretCache(unreadable, ttl_seconds=TTL_SECONDS).prefetch()


def test_the_value_is_reused_until_the_ttl_passes(cache, store, clock):
    store.value = "key-2"

    clock.now += TTL_SECONDS - 0.001
    assert asyncio.run(cache.get()) == "key-1"
    assert store.reads == 1

    clock.now += 0.001
    assert asyncio.run(cache.get()) == "key-2"
    assert store.reads == 2
    assert asyncio.run(cache.get()) == "key-2"
    assert store.reads == 2


def test_get_reads_the_store_when_nothing_was_prefetched(store, clock):
    cache = SecretCache(store.fetch, ttl_seconds=TTL_SECONDS, clock=clock)

    assert asyncio.run(cache.get()) == "key-1"
    assert store.reads == 1


def test_reads_after_init_run_off_the_event_loop_thread(cache, store, clock):
    clock.now += TTL_SECONDS
    asyncio.run(cache.get())

    # The event loop runs on this thread: a read there would block every other record.
    prefetch_thread, later_thread = store.read_threads
    assert prefetch_thread == threading.get_ident()
    assert later_thread != threading.get_ident()


def test_refresh_reads_the_store_within_the_ttl(cache, store):
    store.value = "key-2"

    assert asyncio.run(cache.refresh("key-1")) == "key-2"
    assert store.reads == 2
    assert asyncio.run(cache.get()) == "key-2"
    assert store.reads == 2


def test_refresh_of_an_already_replaced_value_does_not_read(cache, store):
    store.value = "key-2"
    asyncio.run(cache.refresh("key-1"))

    assert asyncio.run(cache.refresh("key-1")) == "key-2"
    assert store.reads == 2


async def gather(*calls):
    return await asyncio.gather(*calls)


def test_concurrent_refreshes_share_one_read(cache, store):
    store.value = "key-2"

    results = asyncio.run(gather(*(cache.refresh("key-1") for _ in range(5))))

    assert results == ["key-2"] * 5
    assert store.reads == 2


def test_concurrent_gets_after_the_ttl_share_one_read(cache, store, clock):
    store.value = "key-2"
    clock.now += TTL_SECONDS

    results = asyncio.run(gather(*(cache.get() for _ in range(5))))

    assert results == ["key-2"] * 5
    assert store.reads == 2
