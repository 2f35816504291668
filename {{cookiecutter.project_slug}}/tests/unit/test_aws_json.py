"""aws_json.py against moto: the machinery's calls, its errors, and where it sends them;
against a moto that checks every signature and the caller's IAM policy, as AWS does; and
against stand-ins for what moto does not do (throttling, a wrong clock, a damaged answer, a
connection closed while the function was frozen)."""

import contextlib
import json
import socket
import threading
import time
import urllib.request
import uuid
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest

from {{ cookiecutter.package_name }}.aws_json import (
    DYNAMODB,
    SECRETS_MANAGER,
    AwsError,
    AwsJsonClient,
    AwsUnreachableError,
    ChecksumMismatchError,
    endpoint_for,
)

from local.aws import FAKE_CREDENTIALS, moto_client
from local.http_stand_in import HttpStandIn


def environ(aws: str) -> dict[str, str]:
    return {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": aws}


def create_secret(aws: str, name: str, value: str) -> None:
    moto_client("secretsmanager", aws).create_secret(Name=name, SecretString=value)


def create_table(aws: str, name: str) -> None:
    moto_client("dynamodb", aws).create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_a_secret_is_read(aws):
    name = f"test/{uuid.uuid4()}"
    create_secret(aws, name, 'Zoë\'s "key"')
    client = AwsJsonClient(SECRETS_MANAGER, environ(aws))

    assert client.call("GetSecretValue", {"SecretId": name})["SecretString"] == 'Zoë\'s "key"'


def test_a_missing_secret_is_a_named_error(aws):
    client = AwsJsonClient(SECRETS_MANAGER, environ(aws))

    with pytest.raises(AwsError) as raised:
        client.call("GetSecretValue", {"SecretId": f"missing/{uuid.uuid4()}"})

    assert raised.value.code == "ResourceNotFoundException"


def test_a_failed_condition_returns_the_item_it_failed_on(aws):
    table = f"idempotency-{uuid.uuid4()}"
    create_table(aws, table)
    client = AwsJsonClient(DYNAMODB, environ(aws))
    claim = {
        "TableName": table,
        "Item": {"id": {"S": "m-1"}, "state": {"S": "claimed"}},
        "ConditionExpression": "attribute_not_exists(id)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }

    client.call("PutItem", claim)
    with pytest.raises(AwsError) as raised:
        client.call("PutItem", claim)

    assert raised.value.code == "ConditionalCheckFailedException"
    assert raised.value.body["Item"]["id"] == {"S": "m-1"}


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("eu-west-1", "https://dynamodb.eu-west-1.amazonaws.com"),
        ("cn-north-1", "https://dynamodb.cn-north-1.amazonaws.com.cn"),
        ("us-gov-west-1", "https://dynamodb.us-gov-west-1.amazonaws.com"),
        ("us-iso-east-1", "https://dynamodb.us-iso-east-1.c2s.ic.gov"),
        ("us-isob-east-1", "https://dynamodb.us-isob-east-1.sc2s.sgov.gov"),
        ("us-isof-south-1", "https://dynamodb.us-isof-south-1.csp.hci.ic.gov"),
        ("eu-isoe-west-1", "https://dynamodb.eu-isoe-west-1.cloud.adc-e.uk"),
        ("eusc-de-east-1", "https://dynamodb.eusc-de-east-1.amazonaws.eu"),
    ],
)
def test_the_endpoint_is_the_regions_unless_the_environment_names_one(region, expected):
    assert endpoint_for(DYNAMODB, region, {}) == expected
    assert endpoint_for(DYNAMODB, region, {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}) == (
        "http://127.0.0.1:9"
    )
    service_only = {"AWS_ENDPOINT_URL": "http://a", "AWS_ENDPOINT_URL_DYNAMODB": "http://b"}
    assert endpoint_for(DYNAMODB, region, service_only) == "http://b"


def test_a_services_own_endpoint_variable_is_named_by_its_service_id():
    environ = {
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://secrets",
        "AWS_ENDPOINT_URL_DYNAMODB": "http://table",
    }
    assert endpoint_for(SECRETS_MANAGER, "eu-west-1", environ) == "http://secrets"
    assert endpoint_for(DYNAMODB, "eu-west-1", environ) == "http://table"
    # Only the service id's spelling counts, not the signing name's.
    wrong = {"AWS_ENDPOINT_URL_SECRETSMANAGER": "http://wrong"}
    assert endpoint_for(SECRETS_MANAGER, "eu-west-1", wrong) == (
        "https://secretsmanager.eu-west-1.amazonaws.com"
    )


def test_an_unreachable_endpoint_fails_after_the_bounded_attempts():
    down = {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    client = AwsJsonClient(DYNAMODB, down, max_attempts=2, timeout_seconds=0.5)

    with pytest.raises(AwsUnreachableError, match=r"127\.0\.0\.1:9 .* 2 attempt") as raised:
        client.call("DescribeLimits", {})

    assert isinstance(raised.value.__cause__, ConnectionRefusedError)


@pytest.mark.parametrize(
    ("service", "environment", "in_code", "attempts"),
    [
        (DYNAMODB, None, None, 4),  # the standard mode's for DynamoDB
        (SECRETS_MANAGER, None, None, 3),  # and for most services
        (DYNAMODB, "5", None, 5),  # AWS_MAX_ATTEMPTS
        (DYNAMODB, "5", 2, 2),  # code wins over the environment
    ],
)
def test_the_attempts_are_the_standard_modes_unless_configured(
    service, environment, in_code, attempts
):
    with HttpStandIn() as aws:
        throttled = json.dumps({"__type": "ThrottlingException", "message": "slow down"})
        aws.answer("POST", "/", throttled, status=HTTPStatus.BAD_REQUEST)
        local = {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": aws.url}
        if environment:
            local["AWS_MAX_ATTEMPTS"] = environment
        client = AwsJsonClient(service, local, max_attempts=in_code, sleep=lambda _: None)

        with pytest.raises(AwsError) as raised:
            client.call("GetItem", {})

        assert raised.value.code == "ThrottlingException"
        assert len(aws.requests) == attempts


THROTTLING_CEILINGS = [1.0, 2.0, 4.0]  # 1 s base, doubled after each failure
TRANSIENT_CEILINGS = [0.025, 0.05, 0.1]  # DynamoDB's 25 ms base


@pytest.mark.parametrize(
    ("code", "status", "ceilings"),
    [
        ("ProvisionedThroughputExceededException", HTTPStatus.BAD_REQUEST, THROTTLING_CEILINGS),
        ("ThrottlingException", HTTPStatus.BAD_REQUEST, THROTTLING_CEILINGS),
        ("TooManyRequests", HTTPStatus.TOO_MANY_REQUESTS, THROTTLING_CEILINGS),  # by its status
        ("InternalServerError", HTTPStatus.INTERNAL_SERVER_ERROR, TRANSIENT_CEILINGS),
        ("ServiceUnavailable", HTTPStatus.SERVICE_UNAVAILABLE, TRANSIENT_CEILINGS),
        ("RequestTimeoutException", HTTPStatus.BAD_REQUEST, TRANSIENT_CEILINGS),  # by its code
        ("ValidationException", HTTPStatus.BAD_REQUEST, []),  # the request is wrong: no retry
        ("AccessDeniedException", HTTPStatus.BAD_REQUEST, []),
        ("ConditionalCheckFailedException", HTTPStatus.BAD_REQUEST, []),
    ],
)
def test_throttling_and_transient_errors_are_retried_with_full_jitter_others_are_not(
    code, status, ceilings
):
    waits: list[float] = []
    with HttpStandIn() as dynamodb:
        dynamodb.answer("POST", "/", json.dumps({"__type": f"com.amazon#{code}"}), status=status)
        local = {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": dynamodb.url}
        client = AwsJsonClient(DYNAMODB, local, sleep=waits.append)

        with pytest.raises(AwsError) as raised:
            client.call("PutItem", {})

        assert (raised.value.code, raised.value.status) == (code, status)
        assert len(dynamodb.requests) == len(ceilings) + 1
    # A random wait between 0 and each ceiling, none after the last attempt.
    assert len(waits) == len(ceilings)
    assert all(0 <= wait <= ceiling for wait, ceiling in zip(waits, ceilings, strict=True))


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        ({"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException"}, {}, "Throttling"),
        ({"__type": "ThrottlingException:http://internal.amazon.com/"}, {}, "Throttling"),
        ({}, {"x-amzn-errortype": "ThrottlingException:http://internal/"}, "Throttling"),
    ],
)
def test_the_error_code_is_read_as_botocore_reads_it(body, headers, expected):
    waits: list[float] = []
    with HttpStandIn() as dynamodb:
        dynamodb.answer(
            "POST", "/", json.dumps(body), status=HTTPStatus.BAD_REQUEST, headers=headers
        )
        local = {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": dynamodb.url}
        client = AwsJsonClient(DYNAMODB, local, max_attempts=2, sleep=waits.append)

        with pytest.raises(AwsError) as raised:
            client.call("GetItem", {})

    assert raised.value.code == f"{expected}Exception"
    assert len(waits) == 1  # retried as throttling: the code was understood


def test_a_clock_that_is_wrong_is_corrected_by_the_services_date_and_stays_corrected():
    slow = timedelta(minutes=20)
    with HttpStandIn() as dynamodb:
        # AWS refuses a request signed too far from its own time; the stand-in always does, so
        # every attempt is seen. Its Date header is this machine's true time.
        expired = json.dumps({"__type": "InvalidSignatureException", "message": "expired"})
        dynamodb.answer("POST", "/", expired, status=HTTPStatus.BAD_REQUEST)
        local = {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": dynamodb.url}
        client = AwsJsonClient(DYNAMODB, local, clock=lambda: datetime.now(UTC) - slow)

        with pytest.raises(AwsError, match="InvalidSignatureException"):
            client.call("GetItem", {})
        with pytest.raises(AwsError, match="InvalidSignatureException"):
            client.call("GetItem", {})

    signed = [
        datetime.strptime(request.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        for request in dynamodb.requests
    ]
    now = datetime.now(UTC)
    assert now - signed[0] > slow - timedelta(minutes=1)  # signed by the wrong clock
    # Signed again at once with the service's time; a refusal with a matching clock is not a
    # skew, so it is not retried as one (a wrong key would be refused the same way).
    assert len(signed) == 3
    assert all(abs(now - time) < timedelta(minutes=1) for time in signed[1:])


def test_idle_connections_the_service_closed_are_not_used():
    # Calls at once leave kept connections; the service then closes them all (a freeze outlasted
    # its idle timeout). One attempt must be enough for the next call: none of them is used.
    accepted: list[socket.socket] = []

    def answer_each_request(connection: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while True:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    request += chunk
                connection.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}"
                )

    def serve(listener: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while True:
                connection, _address = listener.accept()
                accepted.append(connection)
                answering = threading.Thread(target=answer_each_request, args=(connection,))
                answering.daemon = True
                answering.start()

    with socket.create_server(("127.0.0.1", 0)) as listener:
        threading.Thread(target=serve, args=(listener,), daemon=True).start()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        client = AwsJsonClient(
            DYNAMODB, {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": url}, max_attempts=1
        )
        with ThreadPoolExecutor(max_workers=3) as pool:
            assert list(pool.map(lambda _: client.call("GetItem", {}), range(6))) == [{}] * 6
        kept = list(accepted)
        for connection in kept:
            connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        time.sleep(0.2)  # the closings reach the client's sockets (loopback: at once)

        assert client.call("GetItem", {}) == {}
        assert client.call("GetItem", {}) == {}
    assert len(accepted) == len(kept) + 1  # one new connection, kept for the second call


def test_a_connection_the_service_closed_while_the_function_was_frozen_is_replaced():
    # A service that answers each request on a kept-alive connection, then closes it, as a
    # load balancer closes an idle connection while Lambda keeps the process frozen.
    connections = []

    def serve(listener: socket.socket) -> None:
        for _ in range(2):
            connection, _address = listener.accept()
            connections.append(connection)
            request = b""
            while b"\r\n\r\n" not in request:
                request += connection.recv(65536)
            headers, _, body = request.partition(b"\r\n\r\n")
            length = int(headers.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            while len(body) < length:
                body += connection.recv(65536)
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n"
                b"Content-Length: 2\r\nConnection: keep-alive\r\n\r\n{}"
            )
            connection.close()

    with socket.create_server(("127.0.0.1", 0)) as listener:
        server = threading.Thread(target=serve, args=(listener,), daemon=True)
        server.start()
        local = {
            **FAKE_CREDENTIALS,
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{listener.getsockname()[1]}",
        }
        client = AwsJsonClient(DYNAMODB, local, timeout_seconds=2)

        assert client.call("GetItem", {}) == {}
        assert client.call("GetItem", {}) == {}  # the kept connection was closed meanwhile
        server.join(timeout=5)

    assert len(connections) == 2


def test_calls_from_many_threads_at_once_share_the_client(aws):
    table = f"idempotency-{uuid.uuid4()}"
    create_table(aws, table)
    client = AwsJsonClient(DYNAMODB, environ(aws))

    def put(number: int) -> dict:
        item = {"id": {"S": f"m-{number}"}, "text": {"S": f'Zoë "{number}"\n'}}
        return client.call("PutItem", {"TableName": table, "Item": item})

    with ThreadPoolExecutor(max_workers=10) as pool:
        assert list(pool.map(put, range(40))) == [{}] * 40

    scanned = moto_client("dynamodb", aws).scan(TableName=table)["Items"]
    assert sorted(item["text"]["S"] for item in scanned) == sorted(
        f'Zoë "{number}"\n' for number in range(40)
    )


def reset_auth(aws: str, unauthenticated_requests: str) -> str:
    """Make moto authenticate every request after the next ``unauthenticated_requests``
    ("inf": never); return the previous setting."""
    request = urllib.request.Request(  # noqa: S310 - the local moto server
        f"{aws}/moto-api/reset-auth",
        data=unauthenticated_requests.encode(),
        # Not a form: moto reads the body as it is.
        headers={"Content-Type": "text/plain"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310 - the local moto server
        return str(json.load(response)["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"])


@pytest.fixture
def reader(aws) -> Iterator[tuple[dict[str, str], str]]:
    """An IAM user's key that may read one secret, with moto authenticating every request."""
    name = f"test/{uuid.uuid4()}"
    setup = 4  # the secret, the user, its policy and its key, made before moto checks anything
    previous = reset_auth(aws, str(setup))
    try:
        create_secret(aws, name, "s3cr3t")
        iam = moto_client("iam", aws)
        user = f"reader-{uuid.uuid4().hex[:8]}"
        iam.create_user(UserName=user)
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
            ],
        }
        iam.put_user_policy(UserName=user, PolicyName="read", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=user)["AccessKey"]
        environ = {
            "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": aws,
        }
        yield environ, name
    finally:
        reset_auth(aws, previous)


def test_an_authenticating_aws_accepts_the_signature(reader):
    environ, name = reader
    client = AwsJsonClient(SECRETS_MANAGER, environ)

    assert client.call("GetSecretValue", {"SecretId": name})["SecretString"] == "s3cr3t"


def test_an_authenticating_aws_refuses_a_wrong_key(reader):
    environ, name = reader
    forged = {**environ, "AWS_SECRET_ACCESS_KEY": "not-" + environ["AWS_SECRET_ACCESS_KEY"]}
    client = AwsJsonClient(SECRETS_MANAGER, forged)

    with pytest.raises(AwsError) as raised:
        client.call("GetSecretValue", {"SecretId": name})

    assert (raised.value.code, raised.value.status) == ("SignatureDoesNotMatch", 403)


def test_an_answer_that_does_not_match_its_crc32_is_retried_then_refused():
    answer = b'{"Item": {"id": {"S": "m-1"}}}'
    with HttpStandIn() as dynamodb:
        dynamodb.answer("POST", "/", answer, headers={"x-amz-crc32": str(zlib.crc32(answer) ^ 1)})
        local = {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": dynamodb.url}
        client = AwsJsonClient(DYNAMODB, local)
        with pytest.raises(ChecksumMismatchError):
            client.call("GetItem", {})
        assert len(dynamodb.requests) == 4  # every attempt, then the error

        dynamodb.answer("POST", "/", answer, headers={"x-amz-crc32": str(zlib.crc32(answer))})
        assert client.call("GetItem", {}) == {"Item": {"id": {"S": "m-1"}}}
