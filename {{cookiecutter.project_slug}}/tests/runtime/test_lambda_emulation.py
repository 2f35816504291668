"""The local Runtime API is as strict as Lambda's execution environment (local/runtime.py), shown
with small handlers written for each rule, so the function's own tests can rely on it."""

import json
import textwrap
import time
from pathlib import Path

import pytest

from local.runtime import PAYLOAD_LIMIT_BYTES, LambdaProcess, Outcome

HANDLER = "probe.handler"


def write_probe(tmp_path: Path, source: str) -> Path:
    """Write ``source`` as the module ``probe`` of a package in ``tmp_path``; return its root."""
    task_root = tmp_path / "package"
    task_root.mkdir()
    (task_root / "probe.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return task_root


def test_an_init_longer_than_the_limit_runs_again_within_the_first_invocation(tmp_path):
    # Lambda: INIT has 10 s; then the init runs again within the invocation, with its timeout.
    task_root = write_probe(
        tmp_path,
        """
        import time

        time.sleep(1.5)


        def handler(event, context):
            return "initialised"
        """,
    )
    with LambdaProcess(HANDLER, {}, 10, task_root=task_root, init_limit_seconds=1) as function:
        outcome = function.invoke({})

    assert (outcome.kind, outcome.payload) == ("response", "initialised")
    assert (function.init_timeouts, function.starts) == (1, 2)


def test_a_timed_out_invocation_resets_the_environment(tmp_path):
    # Lambda: an invocation past its timeout fails, and the next one initialises anew.
    task_root = write_probe(
        tmp_path,
        """
        import os
        import time

        INIT_PID = os.getpid()


        def handler(event, context):
            time.sleep(event["sleep"])
            return INIT_PID
        """,
    )
    with LambdaProcess(HANDLER, {}, 1, task_root=task_root) as function:
        first = function.invoke({"sleep": 0})
        timed_out = function.invoke({"sleep": 5})
        after = function.invoke({"sleep": 0})

    assert timed_out.kind == "error"
    assert timed_out.payload["errorType"] == "Sandbox.Timedout"
    assert after.kind == "response"
    assert after.payload != first.payload  # another process: the init ran again
    assert function.starts == 2


def test_nothing_of_the_function_runs_between_invocations(tmp_path):
    # Lambda freezes the environment between invocations: background threads stop too.
    task_root = write_probe(
        tmp_path,
        """
        import threading
        import time

        ticks = 0


        def tick():
            global ticks
            while True:
                ticks += 1
                time.sleep(0.01)


        threading.Thread(target=tick, daemon=True).start()


        def handler(event, context):
            return ticks
        """,
    )
    with LambdaProcess(HANDLER, {}, 10, task_root=task_root) as function:
        before = function.invoke({}).payload
        # Frozen for a second: a thread that ran would tick about a hundred times.
        time.sleep(1.0)
        after = function.invoke({}).payload

    assert after - before < 20


def test_log_records_are_json_lines_with_the_request_id(tmp_path):
    # As on Lambda with LoggingConfig.LogFormat JSON (template.yaml): `extra` fields become keys.
    task_root = write_probe(
        tmp_path,
        """
        import logging

        logger = logging.getLogger("probe")


        def handler(event, context):
            logger.info("handled", extra={"items": 3})
        """,
    )
    with LambdaProcess(HANDLER, {}, 10, task_root=task_root) as function:
        function.invoke({}, request_id="request-json")

    (record,) = [json.loads(line) for line in function.logs.splitlines() if '"handled"' in line]
    assert (record["level"], record["requestId"], record["items"]) == ("INFO", "request-json", 3)


def test_a_function_that_writes_into_its_package_fails(tmp_path):
    # Lambda's package directory is read-only; here a write is caught when the instance stops.
    task_root = write_probe(
        tmp_path,
        """
        from pathlib import Path


        def handler(event, context):
            (Path(__file__).parent / "cache.json").write_text("{}")
        """,
    )
    with (
        pytest.raises(AssertionError, match=r"cache\.json"),
        LambdaProcess(HANDLER, {}, 10, task_root=task_root) as function,
    ):
        function.invoke({})


def test_an_event_whose_init_failed_is_not_run_by_the_next_environment(tmp_path):
    # Lambda: an init error fails the invocation; the next one starts a new environment.
    inits = tmp_path / "inits"
    task_root = write_probe(
        tmp_path,
        f"""
        from pathlib import Path

        INITS = Path({str(inits)!r})
        INITS.write_text(INITS.read_text() + "x" if INITS.exists() else "x")
        if INITS.read_text() == "x":
            raise RuntimeError("the first init fails")


        def handler(event, context):
            return event["n"]
        """,
    )
    with LambdaProcess(HANDLER, {}, 10, task_root=task_root) as function:
        failed = function.invoke({"n": 1})
        answered = function.invoke({"n": 2})

    assert failed.kind == "init_error"
    assert answered == Outcome("response", 2)  # not 1: the failed event is not run again
    assert (function.starts, inits.read_text()) == (2, "xx")


def test_payloads_over_lambdas_limit_are_refused(tmp_path):
    task_root = write_probe(
        tmp_path,
        """
        def handler(event, context):
            return "x" * event["size"]
        """,
    )
    with LambdaProcess(HANDLER, {}, 10, task_root=task_root) as function:
        with pytest.raises(ValueError, match="6 MB"):
            function.invoke({"pad": "x" * PAYLOAD_LIMIT_BYTES})
        too_large = function.invoke({"size": PAYLOAD_LIMIT_BYTES})

    assert too_large.kind == "error"
    assert too_large.payload["errorType"] == "Function.ResponseSizeTooLarge"
