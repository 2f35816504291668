"""aws_json.py against moto: the machinery's calls, its errors, and where it sends them.

WIP (issue 21): moto here does not check signatures; an IAM-enforcing moto server comes next.
"""

import uuid

import pytest

from {{ cookiecutter.package_name }}.aws_json import AwsError, AwsJsonClient, endpoint_for

from local.aws import FAKE_CREDENTIALS, create_idempotency_table, create_secret


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
