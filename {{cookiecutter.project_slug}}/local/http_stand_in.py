"""A local stand-in for any HTTP service a task calls: answers what it is told, records the rest.

For `make run` (local/task_world.py) and a task's tests: start it, point the task's setting at
``stand_in.url``, tell it what to answer, and look at ``stand_in.requests`` afterwards.

    with HttpStandIn() as rates:
        rates.answer("GET", "/latest", json.dumps({"EUR": 1.0}), content_type="application/json")
        ...  # the task GETs f"{rates.url}/latest"
        assert rates.requests[0].headers["Authorization"] == "Bearer test-key"
"""

import threading
from dataclasses import dataclass, field
from email.message import Message
from http import HTTPStatus
from typing import Self

from local.http_server import BackgroundServer, QuietRequestHandler


@dataclass(frozen=True)
class Answer:
    """What the stand-in answers to one method and path."""

    status: int = HTTPStatus.OK
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """One request the stand-in received: its headers looked up by any case (``get_all`` gives a
    repeated one's values), the body as bytes."""

    method: str
    path: str
    headers: Message
    body: bytes


class HttpStandIn(BackgroundServer):
    """An HTTP server on 127.0.0.1, on a free port, for any method and path.

    A request whose method and path (query string included, if the answer was given with one)
    have an answer gets it; any other gets 404, so a task calling what it should not fails in
    its tests as it would against the real service. Every request is recorded, answered or not.
    """

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._answers: dict[tuple[str, str], Answer] = {}
        self._lock = threading.Lock()
        super().__init__(_handler_for(self))

    @property
    def url(self) -> str:
        """The base URL: ``http://127.0.0.1:<port>``."""
        return f"http://{self.address}"

    def answer(
        self,
        method: str,
        path: str,
        body: str | bytes = b"",
        status: int = HTTPStatus.OK,
        content_type: str = "text/plain; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> Self:
        """Answer ``method`` on ``path`` (``/latest``, or ``/latest?base=EUR``) from now on."""
        encoded = body.encode() if isinstance(body, str) else body
        with self._lock:
            self._answers[method.upper(), path] = Answer(
                status, encoded, {"Content-Type": content_type, **(headers or {})}
            )
        return self

    def record_and_answer(self, request: Request) -> Answer:
        """Record ``request`` and return the answer it gets."""
        with self._lock:
            self.requests.append(request)
            bare_path = request.path.partition("?")[0]
            found = self._answers.get((request.method, request.path)) or self._answers.get(
                (request.method, bare_path)
            )
        return found or Answer(HTTPStatus.NOT_FOUND)


def _handler_for(stand_in: HttpStandIn) -> type[QuietRequestHandler]:
    class Handler(QuietRequestHandler):
        def _any_method(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = Request(
                method=self.command,
                path=self.path,
                headers=self.headers,
                body=self.rfile.read(length),
            )
            answer = stand_in.record_and_answer(request)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _any_method

    return Handler
