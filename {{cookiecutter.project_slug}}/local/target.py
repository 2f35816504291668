"""A local HTTP receiver that plays the target: checks the API key and records deliveries."""

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType

from local.http_server import BackgroundServer, LocalServer, QuietRequestHandler


@dataclass(frozen=True)
class Delivery:
    """A request the receiver accepted."""

    body: str
    idempotency_key: str | None


class Receiver(BackgroundServer):
    """An HTTP endpoint on 127.0.0.1, on a free port, standing in for the target.

    Each POST is answered, in this order of checks:

    - no answer for `delay_seconds` (0 by default), as a target that takes time to answer;
    - no answer until `release` is set, if the body is one of `hanging_bodies` (a slow target);
    - the connection closed without an answer while `drop_next` is above zero (it counts
      down), as a kept-alive connection that the target closed while the function was frozen;
    - 503 while `unavailable_next` is above zero (it counts down), as a target under load;
    - 401 while `refuse_next` is above zero (it counts down), as after a key rotation;
    - 401 unless the Authorization header is ``Bearer <api_key>``, when `api_key` is set;
    - 400 if the body is not JSON;
    - 500 if the body is one of `failing_bodies`;
    - otherwise 200, and the request is recorded in `deliveries`.

    Tests may change `api_key`, the counters and the body sets at any time. Every request,
    whatever its answer, is counted in `attempts` by body, and `max_in_flight` is the most
    requests it was answering at once (set it to 0 to start counting afresh).
    """

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key
        self.refuse_next = 0
        self.unavailable_next = 0
        self.drop_next = 0
        self.failing_bodies: set[str] = set()
        self.hanging_bodies: set[str] = set()
        self.release = threading.Event()
        self.attempts: Counter[str] = Counter()
        self.deliveries: list[Delivery] = []
        self.refused = 0
        self.delay_seconds = 0.0
        self.max_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        super().__init__(_handler_for(self), _Server)

    @property
    def url(self) -> str:
        """The URL to POST to."""
        return f"http://{self.address}/deliveries"

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release.set()  # a hanging request must not keep the server from stopping
        super().__exit__(exc_type, exc, traceback)

    def answer(
        self, authorization: str | None, idempotency_key: str | None, body: str
    ) -> int | None:
        """Decide the status for one request (see the class docstring); record it if accepted.

        Returns:
            The status to answer, or None to close the connection without an answer.
        """
        with self._lock:
            self.attempts[body] += 1
            hanging = body in self.hanging_bodies
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            if self.delay_seconds > 0:
                time.sleep(self.delay_seconds)
            if hanging:
                self.release.wait()
        finally:
            with self._lock:
                self._in_flight -= 1
        with self._lock:
            if self.drop_next > 0:
                self.drop_next -= 1
                return None
            if self.unavailable_next > 0:
                self.unavailable_next -= 1
                return HTTPStatus.SERVICE_UNAVAILABLE
            wrong_key = self.api_key is not None and authorization != f"Bearer {self.api_key}"
            if self.refuse_next > 0 or wrong_key:
                self.refuse_next = max(self.refuse_next - 1, 0)
                self.refused += 1
                return HTTPStatus.UNAUTHORIZED
            try:
                json.loads(body)
            except ValueError:
                return HTTPStatus.BAD_REQUEST
            if body in self.failing_bodies:
                return HTTPStatus.INTERNAL_SERVER_ERROR
            self.deliveries.append(Delivery(body=body, idempotency_key=idempotency_key))
            return HTTPStatus.OK


class _Server(LocalServer):
    # A batch opens its connections all at once; the default backlog (5) would drop some of
    # them for a retry a second later, as no real target's listener does.
    request_queue_size = 64


def _handler_for(receiver: Receiver) -> type[QuietRequestHandler]:
    class Handler(QuietRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            status = receiver.answer(
                self.headers.get("Authorization"), self.headers.get("Idempotency-Key"), body
            )
            if status is None:
                self.close_connection = True
                return
            self.reply_empty(HTTPStatus(status))

    return Handler
