import asyncio

import httpx
import pytest

from {{ cookiecutter.package_name }}.message import Message
from {{ cookiecutter.package_name }}.secret_cache import SecretCache
from {{ cookiecutter.package_name }}.task import Target, deliver

from local.target import Delivery

MESSAGE = Message(id="5f1c9b2e-0d4e-4a8f-9c61-3b7e2a1d0c55", body='{"orderId": "1001"}')


class CountingStore:
    """A secret store that counts reads; ``value`` is what the next read returns."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.reads = 0

    def fetch(self) -> str:
        self.reads += 1
        return self.value


@pytest.fixture
def store(receiver) -> CountingStore:
    return CountingStore(receiver.api_key)


@pytest.fixture
def api_key(store) -> SecretCache:
    """The cache as the handler leaves it after init: read once."""
    cache = SecretCache(store.fetch, ttl_seconds=300)
    cache.prefetch()
    return cache


def deliver_with(api_key: SecretCache, url: str, message: Message = MESSAGE) -> None:
    async def main() -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            await deliver(message, Target(client=client, url=url, api_key=api_key))

    asyncio.run(main())


def test_the_body_is_posted_with_the_key_and_the_message_id(receiver, store, api_key):
    deliver_with(api_key, receiver.url)

    # The receiver accepts only "Authorization: Bearer <its key>".
    assert receiver.deliveries == [Delivery(body=MESSAGE.body, idempotency_key=MESSAGE.id)]
    assert receiver.refused == 0
    assert store.reads == 1


def test_a_refused_key_is_read_again_once_and_the_request_retried(receiver, store, api_key):
    store.value = receiver.api_key = "rotated-key"  # the cache still holds the old key

    deliver_with(api_key, receiver.url)

    assert receiver.refused == 1
    assert store.reads == 2
    assert receiver.deliveries == [Delivery(body=MESSAGE.body, idempotency_key=MESSAGE.id)]


def test_one_refusal_with_an_unchanged_key_is_retried(receiver, store, api_key):
    receiver.refuse_next = 1

    deliver_with(api_key, receiver.url)

    assert receiver.refused == 1
    assert store.reads == 2
    assert len(receiver.deliveries) == 1


def test_a_key_refused_twice_fails_the_message(receiver, store, api_key):
    receiver.api_key = "a-key-the-store-does-not-have"

    with pytest.raises(httpx.HTTPStatusError) as raised:
        deliver_with(api_key, receiver.url)

    assert raised.value.response.status_code == httpx.codes.UNAUTHORIZED
    assert receiver.refused == 2
    assert store.reads == 2
    assert receiver.deliveries == []


def test_a_server_error_fails_the_message_without_reading_the_key_again(receiver, store, api_key):
    receiver.failing_bodies.add(MESSAGE.body)

    with pytest.raises(httpx.HTTPStatusError) as raised:
        deliver_with(api_key, receiver.url)

    assert raised.value.response.status_code == httpx.codes.INTERNAL_SERVER_ERROR
    assert store.reads == 1


def test_a_body_the_target_rejects_fails_the_message(receiver, api_key):
    with pytest.raises(httpx.HTTPStatusError) as raised:
        deliver_with(api_key, receiver.url, Message(id="m-1", body="not json"))

    assert raised.value.response.status_code == httpx.codes.BAD_REQUEST


def test_a_connection_closed_without_an_answer_is_sent_again(receiver, api_key):
    # As a kept-alive connection the target closed while Lambda froze the function.
    receiver.drop_next = 1

    deliver_with(api_key, receiver.url)

    assert receiver.deliveries == [Delivery(body=MESSAGE.body, idempotency_key=MESSAGE.id)]
    assert receiver.attempts[MESSAGE.body] == 2


def test_a_target_that_keeps_closing_the_connection_fails_the_message(receiver, api_key):
    receiver.drop_next = 1000

    with pytest.raises(httpx.RemoteProtocolError):
        deliver_with(api_key, receiver.url)

    assert receiver.attempts[MESSAGE.body] == 3  # the first attempt and two retries
