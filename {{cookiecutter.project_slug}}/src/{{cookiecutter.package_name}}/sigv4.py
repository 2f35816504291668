"""AWS Signature Version 4 for the requests of AWS's JSON protocol: POST / with a JSON body.

The algorithm is AWS's ("Create a signed AWS API request", IAM User Guide): a canonical request,
a string to sign over its hash and the credential scope, and an HMAC-SHA256 chain from the secret
key through date, Region, service and "aws4_request". Only what the JSON protocol needs is here:
the path is always "/", there is no query string, and the payload is always signed.
tests/unit/test_sigv4.py holds every signature byte-identical to botocore's SigV4Auth.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
# Headers a proxy or the client itself may change in transit: never signed (botocore's list).
UNSIGNED_HEADERS = frozenset({
    "baggage", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization",
    "te", "traceparent", "tracestate", "trailer", "transfer-encoding", "upgrade", "user-agent",
    "x-amzn-trace-id",
})  # fmt: skip
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Credentials:
    """An access key, as Lambda gives it to the function (the session token included)."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


def host_of(url: str) -> str:
    """The Host header for ``url``: the port only where it is not the scheme's default."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None and parts.port != DEFAULT_PORTS.get(parts.scheme):
        return f"{host}:{parts.port}"
    return host


def signed_headers(
    url: str,
    headers: dict[str, str],
    body: bytes,
    credentials: Credentials,
    region: str,
    service: str,
    now: datetime,
) -> dict[str, str]:
    """Return ``headers`` with Host, X-Amz-Date, the session token and Authorization added.

    Args:
        url: The endpoint the request is POSTed to, path "/".
        headers: The request's own headers (Content-Type, X-Amz-Target).
        body: The JSON body, exactly as it will be sent.
        credentials: The key that signs.
        region: The Region of the credential scope.
        service: The signing name of the service (``dynamodb``, ``secretsmanager``).
        now: The time of signing; AWS refuses a signature more than 5 minutes off its clock.
    """
    if urlsplit(url).path not in ("", "/"):
        raise ValueError(f"the JSON protocol posts to '/', not to {url!r}")
    timestamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    request = {**headers, "Host": host_of(url), "X-Amz-Date": timestamp}
    if credentials.session_token:
        request["X-Amz-Security-Token"] = credentials.session_token
    signing = {
        name.lower(): " ".join(value.split())
        for name, value in request.items()
        if name.lower() not in UNSIGNED_HEADERS
    }
    names = ";".join(sorted(signing))
    canonical_request = "\n".join([
        "POST",
        "/",
        "",  # no query string
        "".join(f"{name}:{signing[name]}\n" for name in sorted(signing)),
        names,
        hashlib.sha256(body).hexdigest(),
    ])  # fmt: skip
    scope = f"{timestamp[:8]}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join([
        ALGORITHM,
        timestamp,
        scope,
        hashlib.sha256(canonical_request.encode()).hexdigest(),
    ])  # fmt: skip
    key = f"AWS4{credentials.secret_access_key}".encode()
    for part in (timestamp[:8], region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    request["Authorization"] = (
        f"{ALGORITHM} Credential={credentials.access_key_id}/{scope}, "
        f"SignedHeaders={names}, Signature={signature}"
    )
    return request
