"""What the local HTTP stand-ins (the Runtime API, the target) share."""

from http import HTTPStatus
from http.server import BaseHTTPRequestHandler


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
