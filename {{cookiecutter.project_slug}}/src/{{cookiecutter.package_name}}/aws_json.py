"""A client of AWS's JSON protocol (DynamoDB, Secrets Manager) over the standard library.

WIP (issue 21): what the machinery's three calls need, without the AWS SDK's import and client
construction (about 130 ms of a cold start, measured in the issue). Requests are signed by
sigv4.py; credentials, Region and endpoint are read from the environment as Lambda sets it, and
AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_<SERVICE>) as the SDKs read it for local runs.
Retries follow the SDKs' "standard" mode: throttling, 5xx and connection errors, a bounded number
of attempts, full-jitter exponential backoff (AWS SDKs and Tools Reference Guide, "Retry
behavior").
"""

import http.client
import json
import os
import random
import re
import ssl
import time
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from .sigv4 import Credentials, signed_headers

# Error codes the standard retry mode treats as throttling (AWS SDKs and Tools Reference Guide).
THROTTLING = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException",
    "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
    "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException",
})  # fmt: skip
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
# The DNS suffix of each partition, by the start of its Regions' names.
PARTITION_SUFFIXES = (
    ("cn-", "amazonaws.com.cn"),
    ("us-iso-", "c2s.ic.gov"),
    ("us-isob-", "sc2s.sgov.gov"),
)
# One TLS context for the life of the container: loading the trust store costs milliseconds.
TLS = ssl.create_default_context()


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


def endpoint_for(service: str, region: str, environ: Mapping[str, str]) -> str:
    """The endpoint: AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, or the Region's own."""
    for variable in (f"AWS_ENDPOINT_URL_{service.upper()}", "AWS_ENDPOINT_URL"):
        if environ.get(variable):
            return environ[variable]
    suffix = next(
        (suffix for prefix, suffix in PARTITION_SUFFIXES if region.startswith(prefix)),
        "amazonaws.com",
    )
    return f"https://{service}.{region}.{suffix}"


class ChecksumMismatchError(http.client.HTTPException):
    """An answer whose body does not match the checksum the service sent with it."""


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

    Args:
        service: The signing name and endpoint prefix (``dynamodb``, ``secretsmanager``).
        target_prefix: Of the X-Amz-Target header (``DynamoDB_20120810``).
        json_version: Of the Content-Type (``1.0`` for DynamoDB, ``1.1`` for Secrets Manager).
        environ: Where the credentials, Region and endpoint are read.
        max_attempts: Attempts in all, the first included.
        timeout_seconds: For each attempt's connection and answer.
    """

    def __init__(
        self,
        service: str,
        target_prefix: str,
        json_version: str,
        environ: Mapping[str, str] = os.environ,
        max_attempts: int = 3,
        timeout_seconds: float = 5.0,
    ) -> None:
        """Read the Region and endpoint once; connect at the first call."""
        self._service = service
        self._target_prefix = target_prefix
        self._content_type = f"application/x-amz-json-{json_version}"
        self._environ = environ
        self._region = environ.get("AWS_REGION") or environ["AWS_DEFAULT_REGION"]
        self._url = endpoint_for(service, self._region, environ)
        self._max_attempts = max_attempts
        self._timeout_seconds = timeout_seconds
        self._connection: http.client.HTTPConnection | None = None

    def call(self, operation: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Call ``operation`` with ``payload``; return the answer, or raise AwsError."""
        body = json.dumps(payload).encode()
        for attempt in range(1, self._max_attempts + 1):
            try:
                status, answer = self._send(operation, body)
            except Exception as error:
                if not isinstance(error, OSError | http.client.HTTPException):
                    raise
                # A connection the service or a freeze closed: a new one next time. (One type,
                # not a tuple: ruff's Python 3.14 style would write a tuple as 3.14-only syntax.)
                self.close()
                if attempt == self._max_attempts:
                    raise
                self._back_off(attempt)
                continue
            if status < 300:
                return answer
            code = str(answer.get("__type", "Unknown")).rpartition("#")[2]
            message = answer.get("message") or answer.get("Message") or ""
            error = AwsError(code, message, status, answer)
            retryable = code in THROTTLING or status in TRANSIENT_STATUSES
            if not retryable or attempt == self._max_attempts:
                raise error
            self._back_off(attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def close(self) -> None:
        """Close the kept connection, if any."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _send(self, operation: str, body: bytes) -> tuple[int, dict[str, Any]]:
        headers = signed_headers(
            self._url,
            {
                "Content-Type": self._content_type,
                "X-Amz-Target": f"{self._target_prefix}.{operation}",
            },
            body,
            self._credentials(),
            self._region,
            self._service,
            datetime.now(UTC),
        )
        connection = self._connect()
        connection.request("POST", "/", body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        expected = response.getheader("x-amz-crc32")
        # DynamoDB sends the CRC32 of its answer; a mismatch is a damaged answer, retried as a
        # connection error is (botocore's check, which the AWS SDKs share).
        if expected is not None and zlib.crc32(data) != int(expected):
            raise ChecksumMismatchError(f"the answer's CRC32 is not {expected}")
        return response.status, parsed(data)

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            parts = urlsplit(self._url)
            if parts.scheme == "https":
                self._connection = http.client.HTTPSConnection(
                    parts.netloc, timeout=self._timeout_seconds, context=TLS
                )
            else:
                self._connection = http.client.HTTPConnection(
                    parts.netloc, timeout=self._timeout_seconds
                )
        return self._connection

    def _credentials(self) -> Credentials:
        # Read at each call: on Lambda they do not change, but a test may rotate them.
        return Credentials(
            self._environ["AWS_ACCESS_KEY_ID"],
            self._environ["AWS_SECRET_ACCESS_KEY"],
            self._environ.get("AWS_SESSION_TOKEN") or None,
        )

    def _back_off(self, attempt: int) -> None:
        # Full jitter: a random wait up to 2^attempt * 50 ms, at most 1 s (the standard mode's
        # base is 1 s for most services; DynamoDB's is 50 ms, and init has 10 s in all).
        time.sleep(random.uniform(0, min(1.0, 0.05 * 2**attempt)))  # noqa: S311 - jitter
