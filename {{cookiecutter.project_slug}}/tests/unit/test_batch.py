import asyncio
import logging

import pytest

from {{ cookiecutter.package_name }}.batch import process_batch
from {{ cookiecutter.package_name }}.message import Message

# Generous: the work in these tests never waits for the clock, except where it must time out.
BUDGET_SECONDS = 30.0


def messages(*ids: str) -> list[Message]:
    return [Message(id=message_id, body=f"body of {message_id}") for message_id in ids]


def run(batch, work, *, max_concurrency=10, time_budget_seconds=BUDGET_SECONDS) -> list[str]:
    return asyncio.run(
        process_batch(
            batch, work, max_concurrency=max_concurrency, time_budget_seconds=time_budget_seconds
        )
    )


class InFlight:
    """Work that counts concurrent calls; the first ``gate`` calls wait until all have started."""

    def __init__(self, gate: int) -> None:
        self.gate = gate
        self.now = 0
        self.most = 0
        self.started: list[str] = []
        self.all_in = asyncio.Event()

    async def __call__(self, message: Message) -> None:
        self.started.append(message.id)
        self.now += 1
        self.most = max(self.most, self.now)
        if self.now >= self.gate:
            self.all_in.set()
        # Without real concurrency the first call would wait here forever (and time out).
        await self.all_in.wait()
        self.now -= 1


def test_messages_are_processed_concurrently_up_to_the_limit():
    work = InFlight(gate=3)
    batch = messages("a", "b", "c", "d", "e", "f", "g")

    assert run(batch, work, max_concurrency=3) == []
    assert work.most == 3
    assert sorted(work.started) == ["a", "b", "c", "d", "e", "f", "g"]


def test_all_messages_may_be_in_flight_at_once():
    work = InFlight(gate=5)

    assert run(messages("a", "b", "c", "d", "e"), work, max_concurrency=10) == []
    assert work.most == 5


def test_failures_are_reported_exactly_and_in_input_order():
    async def work(message: Message) -> None:
        if message.id == "b":
            # Fails last: the result follows the input order, not the order of failure.
            for _ in range(5):
                await asyncio.sleep(0)
            raise RuntimeError("target unavailable")
        if message.id == "d":
            raise ValueError("bad body")

    assert run(messages("a", "b", "c", "d", "e"), work) == ["b", "d"]


def test_unfinished_work_is_cancelled_and_reported_failed_when_the_budget_runs_out():
    cancelled: list[str] = []

    async def work(message: Message) -> None:
        if message.id.startswith("slow"):
            try:
                await asyncio.Event().wait()  # never set
            except asyncio.CancelledError:
                cancelled.append(message.id)
                raise

    failed = run(messages("slow-1", "fast-1", "slow-2", "fast-2"), work, time_budget_seconds=0.2)

    assert failed == ["slow-1", "slow-2"]
    assert sorted(cancelled) == ["slow-1", "slow-2"]


def test_an_empty_batch_succeeds():
    async def work(message: Message) -> None:
        raise AssertionError("no message, no work")

    assert run([], work) == []


def test_each_failure_is_logged_with_its_message_id(caplog):
    async def work(message: Message) -> None:
        raise ConnectionError("refused")

    with caplog.at_level(logging.ERROR):
        run(messages("a", "b"), work)

    failures = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert [record.message_id for record in failures] == ["a", "b"]
    assert {record.error_type for record in failures} == {"ConnectionError"}


@pytest.mark.parametrize("max_concurrency", [1, 2])
def test_a_low_limit_still_processes_every_message(max_concurrency):
    done: list[str] = []

    async def work(message: Message) -> None:
        await asyncio.sleep(0)
        done.append(message.id)

    assert run(messages("a", "b", "c"), work, max_concurrency=max_concurrency) == []
    assert sorted(done) == ["a", "b", "c"]
