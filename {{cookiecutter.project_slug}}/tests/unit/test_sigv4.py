"""sigv4.py against botocore's SigV4Auth: byte-identical signatures over generated requests.

botocore is in the test environment only; the function signs without it.
"""

import random
import string
from datetime import UTC, datetime, timedelta

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotocoreCredentials

from {{ cookiecutter.package_name }}.sigv4 import Credentials, signed_headers

# Partitions other than aws's too: the scope names the Region whatever its partition.
REGIONS = ["us-east-1", "eu-west-1", "cn-north-1", "us-gov-west-1", "il-central-1"]
SERVICES = {
    "dynamodb": ("application/x-amz-json-1.0", "DynamoDB_20120810", ["PutItem", "DeleteItem"]),
    "secretsmanager": ("application/x-amz-json-1.1", "secretsmanager", ["GetSecretValue"]),
}
# Text a body may hold: quotes, escapes, newlines, and letters outside ASCII.
ALPHABET = string.ascii_letters + string.digits + " \"'\\\n\t{}[]:,é€😀Ω"


def botocore_authorization(
    url: str, headers: dict[str, str], body: bytes, credentials: Credentials, region: str,
    service: str, now: datetime,
) -> str:  # fmt: skip
    """The Authorization header botocore's SigV4Auth computes for the same request and time."""
    auth = SigV4Auth(
        BotocoreCredentials(
            credentials.access_key_id, credentials.secret_access_key, credentials.session_token
        ),
        service,
        region,
    )
    request = AWSRequest(method="POST", url=url, headers=dict(headers), data=body)
    request.context["timestamp"] = now.strftime("%Y%m%dT%H%M%SZ")
    # botocore's own steps of add_auth, at a fixed time instead of its clock's.
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    scope = auth.scope(request)
    names = auth.signed_headers(auth.headers_to_sign(request))
    return f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders={names}, Signature={signature}"


def generated_request(seed: int) -> tuple:
    chance = random.Random(seed)  # noqa: S311 - reproducible test data, not a secret
    service = chance.choice(sorted(SERVICES))
    content_type, prefix, operations = SERVICES[service]
    region = chance.choice(REGIONS)
    host = chance.choice([f"{service}.{region}.amazonaws.com", "127.0.0.1", "localhost"])
    port = chance.choice(["", ":443", ":4566", ":8443"])
    scheme = chance.choice(["https", "http"])
    url = f"{scheme}://{host}{port}{chance.choice(['', '/'])}"
    headers = {
        "Content-Type": content_type,
        "X-Amz-Target": f"{prefix}.{chance.choice(operations)}",
        "User-Agent": "never signed",
    }
    if chance.random() < 0.3:
        headers["X-Amz-Meta-Note"] = "  spaced   out  value "
    body = "".join(chance.choice(ALPHABET) for _ in range(chance.randrange(0, 300))).encode()
    credentials = Credentials(
        access_key_id="ASIA" + "".join(chance.choice(string.ascii_uppercase) for _ in range(16)),
        secret_access_key="".join(chance.choice(string.ascii_letters + "/+") for _ in range(40)),
        session_token=chance.choice([None, "IQoJb3JpZ2luX2VjE" + "x" * chance.randrange(1, 400)]),
    )
    now = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=chance.randrange(0, 10**9))
    return url, headers, body, credentials, region, service, now


@pytest.mark.parametrize("seed", range(300))
def test_the_signature_is_botocores(seed):
    url, headers, body, credentials, region, service, now = generated_request(seed)

    ours = signed_headers(url, headers, body, credentials, region, service, now)

    assert ours["Authorization"] == botocore_authorization(
        url, headers, body, credentials, region, service, now
    )
    assert ours["X-Amz-Date"] == now.strftime("%Y%m%dT%H%M%SZ")
    assert ours.get("X-Amz-Security-Token") == credentials.session_token


def test_only_the_json_protocols_path_is_signed():
    with pytest.raises(ValueError, match="posts to '/'"):
        signed_headers(
            "https://dynamodb.us-east-1.amazonaws.com/tables",
            {},
            b"{}",
            Credentials("AKID", "secret"),
            "us-east-1",
            "dynamodb",
            datetime(2026, 1, 1, tzinfo=UTC),
        )
