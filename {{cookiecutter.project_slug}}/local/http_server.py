"""What the local HTTP stand-ins (the Runtime API, the target, any service a task calls) share."""

import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self


class LocalServer(ThreadingHTTPServer):
    """A threading HTTP server that takes a client's dropped connection in its stride.

    A function process that is killed (a timeout, the end of a test) resets its connections;
    that is expected here, not an error to print.
    """

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        if not isinstance(sys.exception(), ConnectionError):
            super().handle_error(request, client_address)


class BackgroundServer:
    """An HTTP server on 127.0.0.1, on a free port, serving from a thread while entered.

    The local stand-ins subclass it, or hold one beside other resources.

    Args:
        handler: The request handler class.
        server_class: The server, when the default one's settings do not fit.
    """

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        server_class: type[ThreadingHTTPServer] = LocalServer,
    ) -> None:
        self._server = server_class(("127.0.0.1", 0), handler)
        # A short poll interval makes stopping quick (the default is half a second).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return self._server.server_address[1]

    @property
    def address(self) -> str:
        """``host:port`` of the server."""
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class QuietRequestHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing and can answer with an empty body."""

    def reply_empty(self, status: HTTPStatus) -> None:
        """Answer ``status`` with no body (Content-Length 0, so keep-alive connections work)."""
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        # Quiet: callers look at what was recorded, not at an access log on stderr.
        pass
