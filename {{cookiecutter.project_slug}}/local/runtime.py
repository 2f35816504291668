"""The function run the way Lambda runs it: the real runtime client against a local Runtime API.

`LambdaProcess` starts ``python -m awslambdaric <package>.handler.lambda_handler`` (the same
client Lambda's Python runtime uses) in a subprocess and serves it the Lambda Runtime API on
127.0.0.1. So the handler module is imported once (the init, a cold start), then invoked many
times in the same process; an error raised at init or by the handler comes back through the
API as it would on Lambda; and ``context.get_remaining_time_in_millis()`` counts down to a real
deadline. Everything the process prints is kept in `LambdaProcess.logs`: the processes write
to one file, not a pipe, so a line written before the function answered is there when the
answer arrives (a thread reading a pipe may not have reached it yet).

It is as strict as Lambda's execution environment (Lambda Developer Guide, "Understanding the
Lambda execution environment lifecycle"), so code that breaks there breaks here:

- INIT has 10 seconds. An init still running then is stopped and run again inside the first
  invocation, bounded by that invocation's deadline (`init_timeouts` counts these). An init
  that fails ends the process; the next invocation starts a new one.
- Between invocations the process is frozen (SIGSTOP): no thread of it runs until the next
  event, as on Lambda, where peers may meanwhile close connections the function keeps open.
- An invocation that passes its deadline fails with ``Sandbox.Timedout`` and ends the process;
  the next invocation initialises a new one (`starts` counts the inits).
- Events and responses are limited to Lambda's 6 MB for synchronous invocations.
- The package directory is read-only on Lambda. Tests often run as root, whom file permissions
  do not stop, so the emulator writes no bytecode there itself and, when the instance stops,
  fails if the function created or changed anything in it.
"""

import itertools
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

from local.http_server import BackgroundServer, QuietRequestHandler

API = "/2018-06-01/runtime"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Lambda's limits (Lambda Developer Guide, "Lambda quotas" and the lifecycle page above).
INIT_LIMIT_SECONDS = 10.0
PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024  # a synchronous invocation's request and response


@dataclass(frozen=True)
class Outcome:
    """What one invocation came to.

    Attributes:
        kind: "response" (the handler returned), "error" (it raised) or "init_error" (the
            module failed to import, so the process reported that and exited).
        payload: The handler's return value, or the error document the client posted.
    """

    kind: Literal["response", "error", "init_error"]
    payload: Any


@dataclass(frozen=True)
class _Invocation:
    request_id: str
    event: bytes
    deadline_ms: int
    answered: queue.Queue[Outcome]


@dataclass
class _Sandbox:
    """One process of the function and the Runtime API server that only it talks to, so that a
    request from a process that was stopped can never take an event meant for its successor."""

    api: BackgroundServer | None = None
    process: subprocess.Popen[bytes] | None = None
    init_error: Any = None


class LambdaProcess:
    """One function instance: a runtime client process and the Runtime API it talks to.

    Use as a context manager; `invoke` may be called any number of times. The process exits
    after an init error, as a Lambda sandbox does, and the next `invoke` starts a new one.

    Args:
        handler: The handler as template.yaml names it, e.g. "package.handler.lambda_handler".
        environ: The function's environment (settings, AWS_ENDPOINT_URL, credentials).
        timeout_seconds: The function's timeout: each invocation's deadline is this far ahead.
        task_root: The directory Lambda would unpack the package into (LAMBDA_TASK_ROOT):
            this project's src/ by default; a build output (dependencies included) otherwise.
        python: The interpreter that runs the runtime client (this one by default), e.g. one
            with nothing but what Lambda's runtime provides (awslambdaric, boto3).
        init_limit_seconds: How long a new environment's init may take (Lambda's 10 seconds;
            tests of this emulator shorten it).

    Attributes:
        spawned_at: `time.monotonic()` when the current process was started.
        init_done_at: `time.monotonic()` when the current process first asked for an event,
            which is when Lambda's init phase ends; None until then.
        starts: How many processes were started (a new one after each timeout).
        init_timeouts: How many inits were stopped at INIT_LIMIT_SECONDS.
    """

    def __init__(
        self,
        handler: str,
        environ: Mapping[str, str],
        timeout_seconds: float,
        task_root: Path | None = None,
        python: str | None = None,
        init_limit_seconds: float = INIT_LIMIT_SECONDS,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.init_limit_seconds = init_limit_seconds
        self.spawned_at: float | None = None
        self.init_done_at: float | None = None
        self.starts = 0
        self.init_timeouts = 0
        self.init_errors: list[Any] = []
        self.outcomes: list[Outcome] = []
        self._handler = handler
        self._environ = environ
        self._task_root = PROJECT_ROOT / "src" if task_root is None else task_root
        self._python = sys.executable if python is None else python
        self._pending: queue.Queue[_Invocation] = queue.Queue()
        self._in_flight: dict[str, _Invocation] = {}
        self._ids = itertools.count(1)
        # Appended to by every process of this instance (O_APPEND) and read with pread; it
        # lives as long as the instance, since logs are read after __exit__ too.
        self._output = tempfile.TemporaryFile(mode="a+b")  # noqa: SIM115
        self._sandbox: _Sandbox | None = None
        self._package_files: dict[Path, int] = {}
        # Whether the current process's init has INIT_LIMIT_SECONDS (see _start).
        self._init_limited = True

    @property
    def logs(self) -> str:
        """Everything the processes wrote to stdout and stderr so far."""
        fd = self._output.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")

    def __enter__(self) -> Self:
        self._package_files = _files_of(self._task_root)
        self._start(new_environment=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop()
        written = _files_of(self._task_root).items() - self._package_files.items()
        if written and exc_type is None:
            names = ", ".join(sorted(str(path) for path, _ in written))
            raise AssertionError(f"the function wrote into its read-only package: {names}")

    def invoke(
        self,
        event: Any,  # noqa: ANN401 - any JSON document
        timeout_seconds: float | None = None,
        request_id: str | None = None,
    ) -> Outcome:
        """Hand ``event`` to the function and wait for its outcome.

        ``timeout_seconds`` (the function's timeout by default) sets the deadline the handler
        sees through its context. ``request_id`` is a new one unless given: Lambda gives the
        retries of an asynchronous invocation the request id of the first attempt.

        Raises:
            ValueError: If the event is larger than Lambda accepts.
        """
        budget = self.timeout_seconds if timeout_seconds is None else timeout_seconds
        payload = json.dumps(event).encode()
        if len(payload) > PAYLOAD_LIMIT_BYTES:
            raise ValueError(f"Lambda refuses an event of {len(payload)} bytes (6 MB at most)")
        if self._sandbox is None:  # the last invocation timed out or crashed: a reset
            self._start(new_environment=False)
        elif self._sandbox.init_error is not None:  # its init failed: a new environment
            self._stop()
            self._start(new_environment=True)
        invocation = _Invocation(
            request_id=request_id or f"request-{next(self._ids)}",
            event=payload,
            deadline_ms=int((time.time() + budget) * 1000),
            answered=queue.Queue(maxsize=1),
        )
        self._pending.put(invocation)
        outcome = self._wait(invocation, budget)
        self.outcomes.append(outcome)
        return outcome

    def _start(self, new_environment: bool) -> None:
        # A new environment's init has INIT_LIMIT_SECONDS; the re-init of one that was reset
        # runs within an invocation, bounded by its deadline.
        self._init_limited = new_environment
        sandbox = _Sandbox()
        sandbox.api = BackgroundServer(_api_handler_for(self, sandbox)).__enter__()
        source = self._task_root
        environ = {
            **self._environ,
            "AWS_LAMBDA_RUNTIME_API": sandbox.api.address,
            "LAMBDA_TASK_ROOT": str(source),
            "PYTHONPATH": str(source),
            # As on Lambda with the LoggingConfig of template.yaml.
            "AWS_LAMBDA_LOG_FORMAT": "JSON",
            "AWS_LAMBDA_LOG_LEVEL": "INFO",
            # Lambda's package directory is read-only: no bytecode is written next to it.
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        self.spawned_at = time.monotonic()
        self.init_done_at = None
        self.starts += 1
        sandbox.process = subprocess.Popen(  # noqa: S603 - a local interpreter, fixed arguments
            [self._python, "-m", "awslambdaric", self._handler],
            cwd=source,
            env=environ,
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )
        self._sandbox = sandbox

    def _stop(self) -> None:
        sandbox, self._sandbox = self._sandbox, None
        if sandbox is None:
            return
        if sandbox.process is not None:
            sandbox.process.kill()  # SIGKILL ends a frozen (stopped) process too
            sandbox.process.wait()
        if sandbox.api is not None:
            sandbox.api.__exit__(None, None, None)

    def _wait(self, invocation: _Invocation, budget: float) -> Outcome:
        deadline = time.monotonic() + budget
        while time.monotonic() < deadline:
            try:
                return invocation.answered.get(timeout=0.05)
            except queue.Empty:
                sandbox = self._sandbox
                assert sandbox is not None  # noqa: S101 - started by invoke, restarted below
                assert sandbox.process is not None  # noqa: S101 - set by _start
                if sandbox.init_error is not None:
                    self._drop_pending()  # the event failed with the init; it is not run later
                    return Outcome("init_error", sandbox.init_error)
                if sandbox.process.poll() is not None:
                    # The runtime exited within the invocation: Lambda fails it and resets.
                    return self._reset(invocation, "Runtime.ExitError", "the runtime exited")
                if self._init_overran():
                    # Lambda stops an init that overruns and runs it again within this
                    # invocation, bounded by the invocation's deadline.
                    self.init_timeouts += 1
                    self._stop()
                    self._start(new_environment=False)
        message = f"{invocation.request_id} Task timed out after {budget:.2f} seconds"
        return self._reset(invocation, "Sandbox.Timedout", message)

    def _reset(self, invocation: _Invocation, error_type: str, message: str) -> Outcome:
        # Lambda ends the invocation with an error and resets the environment: the next
        # invocation initialises afresh, and this event is not run again.
        self._drop_pending()
        self._in_flight.pop(invocation.request_id, None)
        self._stop()
        return Outcome("error", {"errorType": error_type, "errorMessage": message})

    def _drop_pending(self) -> None:
        while True:
            try:
                self._pending.get_nowait()
            except queue.Empty:
                return

    def _init_overran(self) -> bool:
        return (
            self._init_limited
            and self.init_done_at is None
            and self.spawned_at is not None
            and time.monotonic() - self.spawned_at > self.init_limit_seconds
        )

    # --- The Runtime API, called from the server's threads ------------------------------------

    def init_failed(self, sandbox: _Sandbox, error: Any) -> None:  # noqa: ANN401 - JSON
        """Record the init error that the process of ``sandbox`` reported."""
        if sandbox is self._sandbox:
            sandbox.init_error = error
            self.init_errors.append(error)

    def next_invocation(self, sandbox: _Sandbox) -> _Invocation | None:
        """Wait for the next event, the process frozen meanwhile; None once it is stopped."""
        process = sandbox.process
        if sandbox is not self._sandbox or process is None:
            return None
        if self.init_done_at is None:
            # The runtime's first request for an event ends the INIT phase.
            self.init_done_at = time.monotonic()
        try:
            invocation = self._pending.get_nowait()
        except queue.Empty:
            # Nothing to do: Lambda freezes the environment until the next event. (send_signal
            # does nothing once the process has ended, as it may have, being stopped meanwhile.)
            process.send_signal(signal.SIGSTOP)
            invocation = self._next_pending(process)
            process.send_signal(signal.SIGCONT)
        if invocation is not None:
            self._in_flight[invocation.request_id] = invocation
        return invocation

    def _next_pending(self, process: subprocess.Popen[bytes]) -> _Invocation | None:
        while process.poll() is None:
            try:
                return self._pending.get(timeout=0.05)
            except queue.Empty:
                continue
        return None

    def answer(self, request_id: str, outcome: Outcome) -> bool:
        """Record the outcome of an invocation; False if no such invocation is in flight."""
        invocation = self._in_flight.pop(request_id, None)
        if invocation is None:
            return False
        invocation.answered.put(outcome)
        return True


def _files_of(directory: Path) -> dict[Path, int]:
    """Return each file below ``directory`` with its modification time, in nanoseconds.

    Bytecode caches are left out: the function writes none (PYTHONDONTWRITEBYTECODE), and the
    test process may write its own there when it imports the package.
    """
    return {
        path: path.stat().st_mtime_ns
        for path in directory.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def _api_handler_for(function: LambdaProcess, sandbox: _Sandbox) -> type[QuietRequestHandler]:
    class Handler(QuietRequestHandler):
        protocol_version = "HTTP/1.1"
        # An event is sent as headers, then body: two small writes on a kept-alive connection,
        # which Nagle's algorithm and the client's delayed ACK would hold for ~40 ms each.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            if self.path != f"{API}/invocation/next":
                self.reply_empty(HTTPStatus.NOT_FOUND)
                return
            invocation = function.next_invocation(sandbox)
            if invocation is None:
                self.reply_empty(HTTPStatus.GONE)
                return
            self.send_response(HTTPStatus.OK)
            self.send_header("Lambda-Runtime-Aws-Request-Id", invocation.request_id)
            self.send_header("Lambda-Runtime-Deadline-Ms", str(invocation.deadline_ms))
            self.send_header(
                "Lambda-Runtime-Invoked-Function-Arn",
                "arn:aws:lambda:us-east-1:123456789012:function:local",
            )
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(invocation.event)))
            self.end_headers()
            self.wfile.write(invocation.event)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"null")
            parts = self.path.removeprefix(f"{API}/").split("/")
            if parts == ["init", "error"]:
                function.init_failed(sandbox, body)
                self.reply_empty(HTTPStatus.ACCEPTED)
            elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in {"response", "error"}:
                kind = "response" if parts[2] == "response" else "error"
                outcome = Outcome(kind, body)
                if length > PAYLOAD_LIMIT_BYTES:
                    # Lambda fails an invocation whose response exceeds its payload limit.
                    message = f"response of {length} bytes exceeds {PAYLOAD_LIMIT_BYTES}"
                    outcome = Outcome(
                        "error",
                        {"errorType": "Function.ResponseSizeTooLarge", "errorMessage": message},
                    )
                accepted = function.answer(parts[1], outcome)
                self.reply_empty(HTTPStatus.ACCEPTED if accepted else HTTPStatus.NOT_FOUND)
            else:
                self.reply_empty(HTTPStatus.NOT_FOUND)

    return Handler
