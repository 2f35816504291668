{%- set secret = cookiecutter.secret_name != "" -%}
{% if cookiecutter.task == "blank" -%}
"""The task (task.py) on its own, without Lambda or AWS: replace these with your task's tests."""

import asyncio
import json

from {{ cookiecutter.package_name }}.batch import process_batch
from {{ cookiecutter.package_name }}.message import Message
{%- if secret %}
from {{ cookiecutter.package_name }}.secret_cache import SecretCache
{%- endif %}
from {{ cookiecutter.package_name }}.settings import Environment
from {{ cookiecutter.package_name }}.task import Task, TaskSettings

from local.event_loop import slow_callbacks
{%- else -%}
"""The worked example's task (task.py) on its own, without Lambda or AWS: its settings, and its
deliveries to a local receiver (the API key, retries, refusals and the event loop)."""

import asyncio
import json
from collections.abc import Callable

import httpx
import pytest

from {{ cookiecutter.package_name }}.batch import process_batch
from {{ cookiecutter.package_name }}.message import Message
{%- if secret %}
from {{ cookiecutter.package_name }}.secret_cache import SecretCache
{%- endif %}
from {{ cookiecutter.package_name }}.settings import Environment, SettingsError
from {{ cookiecutter.package_name }}.task import (
    DEFAULT_TARGET_TIMEOUT_SECONDS,
    Task,
    TaskSettings,
)

from local.event_loop import slow_callbacks
from local.target import Delivery
{%- endif %}

# The extra settings of this project (the env_vars answer): (variable, value).
{%- if cookiecutter.env_vars.strip() %}
EXTRAS = [
{%- for pair in cookiecutter.env_vars.split(',') if pair.strip() %}
    ({{ pair.split('=', 1)[0].strip() | quoted }}, {{ pair.split('=', 1)[1].strip() | quoted }}),
{%- endfor %}
]
{%- else %}
EXTRAS: list[tuple[str, str]] = []
{%- endif %}
MESSAGE = Message(id="5f1c9b2e-0d4e-4a8f-9c61-3b7e2a1d0c55", body='{"orderId": "1001"}')
{%- if cookiecutter.task == "blank" %}


def new_task() -> Task:
    """The task as handler.py builds it at init, from settings that pass their checks."""
    environment = Environment(dict(EXTRAS))
    settings = TaskSettings.read(environment)
    environment.check()
{%- if secret %}
    secret = SecretCache(fetch=lambda: "a-secret", ttl_seconds=300)
    secret.prefetch()
    return Task(settings, secret)
{%- else %}
    return Task(settings)
{%- endif %}


def run(*messages: Message) -> list[str]:
    """Run the task for ``messages`` as one batch, as the handler does; return the failed ids."""

    async def main() -> list[str]:
        task = new_task()
        try:
            return await process_batch(
                messages, task.run, max_concurrency=10, time_budget_seconds=30
            )
        finally:
            await task.close()

    return asyncio.run(main())


def test_the_settings_are_read():
    settings = new_task().settings

    for name, value in EXTRAS:
        assert getattr(settings, name.lower()) == value


def test_a_message_is_done_and_logged(caplog):
    caplog.set_level("INFO")

    assert run(MESSAGE) == []
    assert f"message {MESSAGE.id} done" in caplog.text


def test_a_message_that_is_not_json_fails_alone():
    assert run(MESSAGE, Message(id="m-2", body="not json")) == ["m-2"]


def test_the_task_never_blocks_the_loop(caplog):
    messages = [Message(id=f"m-{n}", body=json.dumps({"orderId": n})) for n in range(5)]
    task = new_task()  # built before the loop runs, as at init

    async def main() -> None:
        try:
            failed = await process_batch(
                messages, task.run, max_concurrency=5, time_budget_seconds=30
            )
        finally:
            await task.close()
        assert failed == []

    assert slow_callbacks(main, caplog) == []
{%- else %}
{%- if secret %}


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
{%- endif %}


def read_settings(environ: dict[str, str]) -> TaskSettings:
    environment = Environment({**dict(EXTRAS), **environ})
    settings = TaskSettings.read(environment)
    environment.check()
    return settings


@pytest.fixture
def deliver(receiver{{ ", api_key" if secret }}) -> Callable[..., None]:
    """Run the task for one message (MESSAGE unless given) as the handler would."""

    def run(message: Message = MESSAGE) -> None:
        async def main() -> None:
            task = Task(read_settings({"TARGET_URL": receiver.url}){{ ", api_key" if secret }})
            try:
                await task.run(message)
            finally:
                await task.close()

        asyncio.run(main())

    return run


def test_the_settings_are_read_with_defaults():
    settings = read_settings({"TARGET_URL": "https://receiver.example.com/hooks"})

    assert settings.target_url == "https://receiver.example.com/hooks"
    assert settings.target_timeout_seconds == DEFAULT_TARGET_TIMEOUT_SECONDS
    for name, value in EXTRAS:
        assert getattr(settings, name.lower()) == value


def test_the_timeout_can_be_set():
    settings = read_settings({"TARGET_URL": "http://127.0.0.1:1", "TARGET_TIMEOUT_SECONDS": "2.5"})

    assert settings.target_timeout_seconds == 2.5


def test_every_bad_setting_is_named():
    environment = Environment(
        {"TARGET_URL": "ftp://receiver.example.com", "TARGET_TIMEOUT_SECONDS": "0"}
    )
    TaskSettings.read(environment)

    with pytest.raises(SettingsError) as raised:
        environment.check()
    assert raised.value.problems == [
        "TARGET_URL='ftp://receiver.example.com': expected an absolute https:// URL (http:// only"
        " to 127.0.0.1, ::1 or localhost)",
        "TARGET_TIMEOUT_SECONDS='0': expected a number of seconds greater than 0",
        *(f"{name} is not set: expected a value (template.yaml sets it)" for name, _ in EXTRAS),
    ]


{% if secret -%}
def test_the_body_is_posted_with_the_key_and_the_message_id(receiver, store, deliver):
    deliver()

    # The receiver accepts only "Authorization: Bearer <its key>".
    assert receiver.deliveries == [Delivery(body=MESSAGE.body, idempotency_key=MESSAGE.id)]
    assert receiver.refused == 0
    assert store.reads == 1
{%- else -%}
def test_the_body_is_posted_with_the_message_id(receiver, deliver):
    deliver()

    assert receiver.deliveries == [Delivery(body=MESSAGE.body, idempotency_key=MESSAGE.id)]
{%- endif %}
{%- if secret %}


def test_a_refused_key_is_read_again_once_and_the_request_retried(receiver, store, deliver):
    store.value = receiver.api_key = "rotated-key"  # the cache still holds the old key

    deliver()

    assert receiver.refused == 1
    assert store.reads == 2
    assert receiver.deliveries == [Delivery(body=MESSAGE.body, idempotency_key=MESSAGE.id)]


def test_one_refusal_with_an_unchanged_key_is_retried(receiver, store, deliver):
    receiver.refuse_next = 1

    deliver()

    assert receiver.refused == 1
    assert store.reads == 2
    assert len(receiver.deliveries) == 1


def test_a_key_refused_twice_fails_the_message(receiver, store, deliver):
    receiver.api_key = "a-key-the-store-does-not-have"

    with pytest.raises(httpx.HTTPStatusError) as raised:
        deliver()

    assert raised.value.response.status_code == httpx.codes.UNAUTHORIZED
    assert receiver.refused == 2
    assert store.reads == 2
    assert receiver.deliveries == []


def test_a_server_error_fails_the_message_without_reading_the_key_again(receiver, store, deliver):
    receiver.failing_bodies.add(MESSAGE.body)

    with pytest.raises(httpx.HTTPStatusError) as raised:
        deliver()

    assert raised.value.response.status_code == httpx.codes.INTERNAL_SERVER_ERROR
    assert store.reads == 1
{%- else %}


def test_a_server_error_fails_the_message(receiver, deliver):
    receiver.failing_bodies.add(MESSAGE.body)

    with pytest.raises(httpx.HTTPStatusError) as raised:
        deliver()

    assert raised.value.response.status_code == httpx.codes.INTERNAL_SERVER_ERROR
{%- endif %}


def test_a_body_the_target_rejects_fails_the_message(receiver, deliver):
    with pytest.raises(httpx.HTTPStatusError) as raised:
        deliver(Message(id="m-1", body="not json"))

    assert raised.value.response.status_code == httpx.codes.BAD_REQUEST


def test_a_connection_closed_without_an_answer_is_sent_again(receiver, deliver):
    # As a kept-alive connection the target closed while Lambda froze the function.
    receiver.drop_next = 1

    deliver()

    assert receiver.deliveries == [Delivery(body=MESSAGE.body, idempotency_key=MESSAGE.id)]
    assert receiver.attempts[MESSAGE.body] == 2


def test_a_target_that_keeps_closing_the_connection_fails_the_message(receiver, deliver):
    receiver.drop_next = 1000

    with pytest.raises(httpx.RemoteProtocolError):
        deliver()

    assert receiver.attempts[MESSAGE.body] == 3  # the first attempt and two retries


def test_the_task_never_blocks_the_loop(receiver{{ ", api_key" if secret }}, caplog):
    # Built before the loop runs, as handler.py builds it at init: creating the HTTP client
    # loads TLS certificates, which blocks.
    task = Task(read_settings({"TARGET_URL": receiver.url}){{ ", api_key" if secret }})
    messages = [Message(id=f"m-{n}", body=json.dumps({"orderId": n})) for n in range(5)]

    async def main() -> None:
        try:
            failed = await process_batch(
                messages, task.run, max_concurrency=5, time_budget_seconds=30
            )
        finally:
            await task.close()
        assert failed == []

    assert slow_callbacks(main, caplog) == []
    assert len(receiver.deliveries) == len(messages)
{%- if secret %}


def test_a_rotation_costs_one_read_for_the_whole_batch(receiver, store, api_key):
    # Every request of the batch is refused with the old key; the first refusal re-reads the
    # store, and the others use what it read. None may arrive twice.
    store.value = receiver.api_key = "rotated-key"
    task = Task(read_settings({"TARGET_URL": receiver.url}), api_key)
    messages = [Message(id=f"m-{n}", body=json.dumps({"orderId": n})) for n in range(8)]

    async def main() -> list[str]:
        try:
            return await process_batch(
                messages, task.run, max_concurrency=8, time_budget_seconds=30
            )
        finally:
            await task.close()

    assert asyncio.run(main()) == []
    assert store.reads == 2  # at init, then one shared by the batch
    # Requests that start after the first refusal has refreshed the key use the new one.
    assert 1 <= receiver.refused <= len(messages)
    assert sorted(d.idempotency_key for d in receiver.deliveries) == [m.id for m in messages]
{%- endif %}
{%- if cookiecutter.cold_start == "snapstart" %}


def test_renew_replaces_the_http_client_and_closes_the_old_pool(receiver{{ ", api_key" if secret }}):
    async def main() -> None:
        task = Task(read_settings({"TARGET_URL": receiver.url}){{ ", api_key" if secret }})
        snapshotted = task.client

        await task.renew()

        assert task.client is not snapshotted
        assert snapshotted.is_closed
        await task.run(MESSAGE)
        await task.close()

    asyncio.run(main())
    assert len(receiver.deliveries) == 1
{%- endif %}
{%- endif %}
