"""aws_json.py against moto: the machinery's calls, its errors, and where it sends them; and
against a moto that checks every signature and the caller's IAM policy, as AWS does."""

import json
import urllib.request
import uuid
import zlib
from collections.abc import Iterator

import pytest

from {{ cookiecutter.package_name }}.aws_json import (
    AwsError,
    AwsJsonClient,
    ChecksumMismatchError,
    endpoint_for,
)

from local.aws import FAKE_CREDENTIALS, create_idempotency_table, create_secret, moto_client
from local.http_stand_in import HttpStandIn


def environ(aws: str) -> dict[str, str]:
    return {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": aws}


def test_a_secret_is_read(aws):
    name = f"test/{uuid.uuid4()}"
    create_secret(aws, name, 'Zoë\'s "key"')
    client = AwsJsonClient("secretsmanager", "secretsmanager", "1.1", environ(aws))

    assert client.call("GetSecretValue", {"SecretId": name})["SecretString"] == 'Zoë\'s "key"'


def test_a_missing_secret_is_a_named_error(aws):
    client = AwsJsonClient("secretsmanager", "secretsmanager", "1.1", environ(aws))

    with pytest.raises(AwsError) as raised:
        client.call("GetSecretValue", {"SecretId": f"missing/{uuid.uuid4()}"})

    assert raised.value.code == "ResourceNotFoundException"


def test_a_failed_condition_returns_the_item_it_failed_on(aws):
    table = f"idempotency-{uuid.uuid4()}"
    create_idempotency_table(aws, table)
    client = AwsJsonClient("dynamodb", "DynamoDB_20120810", "1.0", environ(aws))
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
    ],
)
def test_the_endpoint_is_the_regions_unless_the_environment_names_one(region, expected):
    assert endpoint_for("dynamodb", region, {}) == expected
    assert endpoint_for("dynamodb", region, {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}) == (
        "http://127.0.0.1:9"
    )
    service_only = {"AWS_ENDPOINT_URL": "http://a", "AWS_ENDPOINT_URL_DYNAMODB": "http://b"}
    assert endpoint_for("dynamodb", region, service_only) == "http://b"


def test_an_unreachable_endpoint_fails_after_the_bounded_attempts():
    client = AwsJsonClient(
        "dynamodb",
        "DynamoDB_20120810",
        "1.0",
        {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"},
        max_attempts=2,
        timeout_seconds=0.5,
    )

    with pytest.raises(ConnectionRefusedError):
        client.call("DescribeLimits", {})


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
    client = AwsJsonClient("secretsmanager", "secretsmanager", "1.1", environ)

    assert client.call("GetSecretValue", {"SecretId": name})["SecretString"] == "s3cr3t"


def test_an_authenticating_aws_refuses_a_wrong_key(reader):
    environ, name = reader
    forged = {**environ, "AWS_SECRET_ACCESS_KEY": "not-" + environ["AWS_SECRET_ACCESS_KEY"]}
    client = AwsJsonClient("secretsmanager", "secretsmanager", "1.1", forged)

    with pytest.raises(AwsError) as raised:
        client.call("GetSecretValue", {"SecretId": name})

    assert (raised.value.code, raised.value.status) == ("SignatureDoesNotMatch", 403)


def test_an_answer_that_does_not_match_its_crc32_is_retried_then_refused():
    answer = b'{"Item": {"id": {"S": "m-1"}}}'
    with HttpStandIn() as dynamodb:
        dynamodb.answer("POST", "/", answer, headers={"x-amz-crc32": str(zlib.crc32(answer) ^ 1)})
        local = {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": dynamodb.url}
        client = AwsJsonClient("dynamodb", "DynamoDB_20120810", "1.0", local)
        with pytest.raises(ChecksumMismatchError):
            client.call("GetItem", {})
        assert len(dynamodb.requests) == 3  # every attempt, then the error

        dynamodb.answer("POST", "/", answer, headers={"x-amz-crc32": str(zlib.crc32(answer))})
        assert client.call("GetItem", {}) == {"Item": {"id": {"S": "m-1"}}}
