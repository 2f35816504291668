"""A client of AWS's JSON protocol (DynamoDB, Secrets Manager) over the standard library.

The machinery makes three kinds of call (GetSecretValue, PutItem, DeleteItem). Importing boto3
and making its clients took 255-330 ms of a cold start on the benchmark's machine; this module
and its clients 35-50 ms, nearly all of it the TLS context that any HTTPS client needs (README:
"Dependencies and their cold-start cost"). Requests are signed by sigv4.py. What the AWS SDKs
read, this reads the same way (AWS SDKs and Tools Reference Guide): the credentials, session
token and Region that Lambda puts in the environment; AWS_ENDPOINT_URL and the service's own
AWS_ENDPOINT_URL_<SERVICE_ID> ("Service-specific endpoints"), which local runs point at moto;
AWS_CA_BUNDLE; and AWS_MAX_ATTEMPTS ("Retry behavior").
"""

import email.utils
import http.client
import json
import os
import random
import re
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from .sigv4 import Credentials, signed_headers

# The codes the SDKs' standard retry mode retries as throttling, and the statuses it retries as
# transient (AWS SDKs and Tools Reference Guide, "Retry behavior").
THROTTLING = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException",
})  # fmt: skip
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
# Codes with which AWS refuses a request signed at a time too far from its own. The SDKs that
# correct clock skew (AWS Developer Tools Blog, "Clock-skew correction") take the offset from the
# answer's Date header and sign the retry with it; boto3 does not. Only an offset beyond
# SKEW_THRESHOLD counts, so a wrong key is not retried as a wrong clock.
CLOCK_SKEW = frozenset({
    "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", "InvalidSignatureException",
    "SignatureDoesNotMatch", "AuthFailure",
})  # fmt: skip
SKEW_THRESHOLD = timedelta(minutes=4)
DEFAULT_MAX_ATTEMPTS = 3  # the standard mode's
# The DNS suffix of each partition, by the start of its Regions' names.
PARTITION_SUFFIXES = (
    ("cn-", "amazonaws.com.cn"),
    ("us-isob-", "sc2s.sgov.gov"),
    ("us-iso-", "c2s.ic.gov"),
)
# One TLS context for the life of the container, built at import (init): loading the trust
# store costs milliseconds, and every connection of every client shares it.
TLS = ssl.create_default_context(cafile=os.environ.get("AWS_CA_BUNDLE") or None)


@dataclass(frozen=True)
class Service:
    """What tells one service's JSON protocol from another's.

    Attributes:
        name: The signing name, also the endpoint's first label.
        target_prefix: Of the X-Amz-Target header, before the operation's name.
        json_version: Of the Content-Type, ``application/x-amz-json-<version>``.
        endpoint_variable: The service's own endpoint variable: AWS_ENDPOINT_URL_ and its
            service id in capitals, spaces as underscores (AWS SDKs and Tools Reference Guide,
            "Service-specific endpoints").
    """

    name: str
    target_prefix: str
    json_version: str
    endpoint_variable: str


# From each service's API reference ("Common parameters" and its request examples).
DYNAMODB = Service("dynamodb", "DynamoDB_20120810", "1.0", "AWS_ENDPOINT_URL_DYNAMODB")
SECRETS_MANAGER = Service(
    "secretsmanager", "secretsmanager", "1.1", "AWS_ENDPOINT_URL_SECRETS_MANAGER"
)


class AwsError(Exception):
    """An error AWS answered with.

    Its code (``ConditionalCheckFailedException``), message and HTTP status, and the body's other
    fields (``Item`` for a failed condition, say).
    """

    def __init__(self, code: str, message: str, status: int, body: Mapping[str, Any]) -> None:
        """Keep what AWS answered."""
        super().__init__(f"{code}: {message}")
        self.code = code
        self.status = status
        self.body = body


class AwsUnreachableError(ConnectionError):
    """No attempt got an answer: the endpoint refused, dropped or never answered the request."""


class ChecksumMismatchError(http.client.HTTPException):
    """An answer whose body does not match the checksum the service sent with it."""


def endpoint_for(service: Service, region: str, environ: Mapping[str, str]) -> str:
    """The endpoint: the service's own variable, AWS_ENDPOINT_URL, or the Region's."""
    for variable in (service.endpoint_variable, "AWS_ENDPOINT_URL"):
        if environ.get(variable):
            return environ[variable]
    suffix = next(
        (suffix for prefix, suffix in PARTITION_SUFFIXES if region.startswith(prefix)),
        "amazonaws.com",
    )
    return f"https://{service.name}.{region}.{suffix}"


def parsed(data: bytes) -> dict[str, Any]:
    """The answer's JSON.

    An error some front end wrote as XML (a refused signature, say) is read into the JSON
    protocol's ``__type`` and ``message``.
    """
    if not data:
        return {}
    try:
        return json.loads(data)
    except ValueError:
        text = data.decode(errors="replace")
        code = re.search(r"<Code>(.*?)</Code>", text)
        message = re.search(r"<Message>(.*?)</Message>", text, re.DOTALL)
        return {
            "__type": code.group(1) if code else "Unknown",
            "message": message.group(1) if message else text[:200],
        }


class AwsJsonClient:
    """Calls one service's operations: ``client.call("GetSecretValue", {"SecretId": ...})``.

    Safe to call from several threads at once: each call takes an idle connection (or opens
    one) and gives it back after the answer, so connections are reused across calls and
    invocations, and a connection that failed (one the service closed while Lambda froze the
    process, say) is dropped and the call retried on a new one.

    Args:
        service: Which service (``DYNAMODB``, ``SECRETS_MANAGER``).
        environ: Where the credentials, Region, endpoint and AWS_MAX_ATTEMPTS are read.
        max_attempts: Attempts in all, the first included; by default AWS_MAX_ATTEMPTS, or 3.
        timeout_seconds: For each attempt's connection, and for each read of its answer.
        clock: The current time; tests pass a wrong one.
    """

    def __init__(
        self,
        service: Service,
        environ: Mapping[str, str] = os.environ,
        max_attempts: int | None = None,
        timeout_seconds: float = 5.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """Read the Region, endpoint and attempts once; connect at the first call."""
        self._service = service
        self._content_type = f"application/x-amz-json-{service.json_version}"
        self._environ = environ
        self._region = environ.get("AWS_REGION") or environ["AWS_DEFAULT_REGION"]
        self._url = endpoint_for(service, self._region, environ)
        # As in the SDKs, a value given in code wins over the environment's.
        self._max_attempts = max_attempts or int(
            environ.get("AWS_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS
        )
        if self._max_attempts < 1:
            raise ValueError(f"AWS_MAX_ATTEMPTS must be at least 1, not {self._max_attempts}")
        self._timeout_seconds = timeout_seconds
        self._clock = clock
        self._clock_offset = timedelta()
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def call(self, operation: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Call ``operation`` with ``payload``; return the answer.

        Raises:
            AwsError: What AWS answered, once it is not worth retrying or attempts ran out.
            AwsUnreachableError: If no attempt got an answer (the last cause is chained).
        """
        body = json.dumps(payload).encode()
        for attempt in range(1, self._max_attempts + 1):
            last = attempt == self._max_attempts
            try:
                status, headers, answer = self._send(operation, body)
            except Exception as error:
                # One type, not a tuple: ruff's Python 3.14 style would write a tuple as
                # 3.14-only syntax, and the project also runs on 3.12 and 3.13.
                if not isinstance(error, OSError | http.client.HTTPException):
                    raise
                if last and isinstance(error, ChecksumMismatchError):
                    raise
                if last:
                    raise AwsUnreachableError(
                        f"{self._url} gave no answer to {operation} in "
                        f"{self._max_attempts} attempt(s): {error!r}"
                    ) from error
                self._back_off(attempt)
                continue
            if status < 300:
                return answer
            code = str(answer.get("__type", "Unknown")).rpartition("#")[2]
            message = answer.get("message") or answer.get("Message") or ""
            error = AwsError(code, message, status, answer)
            if last:
                raise error
            if code in CLOCK_SKEW and self._corrected_clock(headers.get("Date")):
                continue  # signed again at once, with the service's time
            if code not in THROTTLING and status not in TRANSIENT_STATUSES:
                raise error
            self._back_off(attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def close(self) -> None:
        """Close the idle connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _send(self, operation: str, body: bytes) -> tuple[int, Mapping[str, str], dict[str, Any]]:
        headers = signed_headers(
            self._url,
            {
                "Content-Type": self._content_type,
                "X-Amz-Target": f"{self._service.target_prefix}.{operation}",
            },
            body,
            self._credentials(),
            self._region,
            self._service.name,
            self._clock() + self._clock_offset,
        )
        connection = self._take_connection()
        try:
            connection.request("POST", "/", body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except BaseException:
            connection.close()
            raise
        with self._lock:
            self._idle.append(connection)
        # DynamoDB sends the CRC32 of its answer; a mismatch is a damaged answer, retried as a
        # connection error is (as botocore does).
        expected = response.getheader("x-amz-crc32")
        if expected is not None and zlib.crc32(data) != int(expected):
            raise ChecksumMismatchError(f"the answer's CRC32 is not {expected}")
        return response.status, response.headers, parsed(data)

    def _take_connection(self) -> http.client.HTTPConnection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        parts = urlsplit(self._url)
        if parts.scheme == "https":
            return http.client.HTTPSConnection(
                parts.netloc, timeout=self._timeout_seconds, context=TLS
            )
        return http.client.HTTPConnection(parts.netloc, timeout=self._timeout_seconds)

    def _credentials(self) -> Credentials:
        # Read at each call: on Lambda they do not change, but a test may rotate them.
        return Credentials(
            self._environ["AWS_ACCESS_KEY_ID"],
            self._environ["AWS_SECRET_ACCESS_KEY"],
            self._environ.get("AWS_SESSION_TOKEN") or None,
        )

    def _corrected_clock(self, date_header: str | None) -> bool:
        # True if the service's clock is far enough from ours to explain the refusal; the
        # offset is then kept for every later call.
        if not date_header:
            return False
        try:
            service_time = email.utils.parsedate_to_datetime(date_header)
        except ValueError:
            return False
        offset = service_time - self._clock()
        if abs(offset - self._clock_offset) < SKEW_THRESHOLD:
            return False
        self._clock_offset = offset
        return True

    def _back_off(self, attempt: int) -> None:
        # Full jitter: a random wait of up to 2^attempt x 50 ms, at most 1 s. Init has 10 s in
        # all, and the standard mode's 1 s cap keeps the attempts well inside it.
        time.sleep(random.uniform(0, min(1.0, 0.05 * 2**attempt)))  # noqa: S311 - jitter
