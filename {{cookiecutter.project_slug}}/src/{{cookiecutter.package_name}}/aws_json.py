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
import select
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

# The SDKs' standard retry mode as AWS updated it in 2026 (AWS SDKs and Tools Reference Guide,
# "Retry behavior"; AWS Developer Tools Blog, "Announcing updated retry behavior for AWS SDKs and
# Tools"; botocore 1.44 made it the default): the codes retried as throttling, the codes and
# statuses retried as transient, and the backoff's bases and cap.
THROTTLING = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException",
})  # fmt: skip
THROTTLING_STATUSES = frozenset({429})
TRANSIENT = frozenset({"RequestTimeout", "RequestTimeoutException"})
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
THROTTLING_BASE_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 20.0
# Codes with which AWS refuses a request signed at a time too far from its own. The SDKs that
# correct clock skew (AWS Developer Tools Blog, "Clock-skew correction") take the offset from the
# answer's Date header and sign the retry with it; boto3 does not. Only an offset beyond
# SKEW_THRESHOLD counts, so a wrong key is not retried as a wrong clock.
CLOCK_SKEW = frozenset({
    "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", "InvalidSignatureException",
    "SignatureDoesNotMatch", "AuthFailure",
})  # fmt: skip
SKEW_THRESHOLD = timedelta(minutes=4)
# The DNS suffix of each partition but aws's (amazonaws.com, GovCloud's too), by the start of its
# Regions' names: AWS's endpoint pages give the China Regions'; the others are botocore's
# partitions.json, as no AWS page read here lists them.
PARTITION_SUFFIXES = (
    ("cn-", "amazonaws.com.cn"),
    ("us-isob-", "sc2s.sgov.gov"),
    ("us-isof-", "csp.hci.ic.gov"),
    ("us-iso-", "c2s.ic.gov"),
    ("eu-isoe-", "cloud.adc-e.uk"),
    ("eusc-", "amazonaws.eu"),
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
        max_attempts: The standard retry mode's attempts for the service, the first included.
        transient_base_seconds: The backoff's base after a transient error.
    """

    name: str
    target_prefix: str
    json_version: str
    endpoint_variable: str
    max_attempts: int = 3
    transient_base_seconds: float = 0.05


# From each service's API reference ("Common parameters" and its request examples); DynamoDB's
# retries are its own in the standard mode (4 attempts, a 25 ms base).
DYNAMODB = Service("dynamodb", "DynamoDB_20120810", "1.0", "AWS_ENDPOINT_URL_DYNAMODB", 4, 0.025)
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


def error_code(answer: Mapping[str, Any], headers: Mapping[str, str]) -> str:
    """The error's code, as botocore reads it.

    From ``__type`` (or the x-amzn-errortype header), without a namespace before ``#`` or
    details after ``:``.
    """
    raw = str(answer.get("__type") or headers.get("x-amzn-errortype") or "Unknown")
    return raw.rpartition("#")[2].partition(":")[0]


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
        max_attempts: Attempts in all, the first included; by default AWS_MAX_ATTEMPTS, or the
            service's.
        timeout_seconds: For each wait on the socket: the connection, the TLS handshake, the
            request's sending and each read of the answer.
        clock: The current time; tests pass a wrong one.
        sleep: Waits between attempts; tests pass one that records the waits.
    """

    def __init__(
        self,
        service: Service,
        environ: Mapping[str, str] = os.environ,
        max_attempts: int | None = None,
        timeout_seconds: float = 5.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Read the Region, endpoint and attempts once; connect at the first call."""
        self._service = service
        self._content_type = f"application/x-amz-json-{service.json_version}"
        self._environ = environ
        self._region = environ.get("AWS_REGION") or environ["AWS_DEFAULT_REGION"]
        self._url = endpoint_for(service, self._region, environ)
        # As in the SDKs, a value given in code wins over the environment's.
        if max_attempts is None:
            max_attempts = int(environ.get("AWS_MAX_ATTEMPTS") or service.max_attempts)
        if max_attempts < 1:
            raise ValueError(f"AWS_MAX_ATTEMPTS must be at least 1, not {max_attempts}")
        self._max_attempts = max_attempts
        self._timeout_seconds = timeout_seconds
        self._clock = clock
        self._sleep = sleep
        self._clock_offset = timedelta()
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def call(self, operation: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Call ``operation`` with ``payload``; return the answer.

        Raises:
            AwsError: What AWS answered, once it is not worth retrying or attempts ran out.
            AwsUnreachableError: If no attempt got an answer (the last cause is chained).
            ChecksumMismatchError: If every answer was damaged in transit.
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
                self._back_off(attempt, self._service.transient_base_seconds)
                continue
            if status < 300:
                return answer
            code = error_code(answer, headers)
            message = answer.get("message") or answer.get("Message") or ""
            error = AwsError(code, message, status, answer)
            if last:
                raise error
            if code in CLOCK_SKEW and self._corrected_clock(headers.get("Date")):
                continue  # signed again at once, with the service's time
            if code in THROTTLING or status in THROTTLING_STATUSES:
                self._back_off(attempt, THROTTLING_BASE_SECONDS)
            elif code in TRANSIENT or status in TRANSIENT_STATUSES:
                self._back_off(attempt, self._service.transient_base_seconds)
            else:
                raise error
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
            # The others were idle as long or longer: the same cause (a freeze the service's
            # idle timeout outlasted) has likely closed them too.
            self.close()
            raise
        with self._lock:
            self._idle.append(connection)
        # DynamoDB sends the CRC32 of its answer; a mismatch is a damaged answer, retried as a
        # connection error is (as botocore does).
        expected = response.getheader("x-amz-crc32")
        if expected is not None and str(zlib.crc32(data)) != expected.strip():
            raise ChecksumMismatchError(f"the answer's CRC32 is not {expected}")
        return response.status, response.headers, parsed(data)

    def _take_connection(self) -> http.client.HTTPConnection:
        while True:
            with self._lock:
                if not self._idle:
                    break
                connection = self._idle.pop()
            # An idle connection with something to read has been closed by the service (or
            # holds what no request asked for): never reused (as urllib3 checks its pool).
            if connection.sock is not None and not select.select([connection.sock], [], [], 0)[0]:
                return connection
            connection.close()
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
        if service_time.tzinfo is None:  # "-0000": UTC, of no stated origin
            service_time = service_time.replace(tzinfo=UTC)
        offset = service_time - self._clock()
        if abs(offset - self._clock_offset) < SKEW_THRESHOLD:
            return False
        self._clock_offset = offset
        return True

    def _back_off(self, attempt: int, base_seconds: float) -> None:
        # Full jitter after the attempt-th failure: a random wait of up to base x 2^(attempt-1),
        # at most MAX_BACKOFF_SECONDS.
        ceiling = min(MAX_BACKOFF_SECONDS, base_seconds * 2 ** (attempt - 1))
        self._sleep(random.uniform(0, ceiling))  # noqa: S311 - jitter, not a secret
