"""The trigger's events (events/{{ cookiecutter.trigger }}.json and variations) read into Messages."""

import copy
{% if cookiecutter.trigger not in ("sqs", "sns") -%}
import json
{% endif -%}
{% if cookiecutter.trigger != "invoke" -%}
from datetime import UTC, datetime
{% endif %}
from {{ cookiecutter.package_name }}.events import parse_messages

from local.run import sample_event
from local.smoke import fresh_event

SAMPLE = sample_event()
{%- set request_id = ", \"r-1\"" if cookiecutter.trigger == "invoke" else "" %}


def test_only_the_smoke_tests_events_are_marked_as_such():
    assert not any(message.smoke_test for message in parse_messages(SAMPLE{{ request_id }}))
    assert all(message.smoke_test for message in parse_messages(fresh_event(){{ request_id }}))
{%- if cookiecutter.trigger == "sqs" %}


def test_each_record_is_a_message_with_its_id_and_body_unchanged():
    messages = parse_messages(SAMPLE)

    assert [message.id for message in messages] == [
        "059f36b4-87a3-44ab-83d2-661975830a7d",
        "2e1424d4-f796-459a-8184-9c92662be6da",
        "e2a1b8c4-5d4f-4c3b-9a7e-1f0d3c2b6a59",
    ]
    assert messages[0].body == '{"orderId": "1001", "event": "order.paid", "amount": "42.50"}'
    assert messages[2].body.startswith("order 1003 cancelled (plain text, not JSON")


def test_a_message_carries_when_it_was_sent_how_often_it_was_received_and_its_attributes():
    record = copy.deepcopy(SAMPLE["Records"][0])
    record["attributes"]["ApproximateReceiveCount"] = "3"
    record["messageAttributes"] = {
        "tenant": {"stringValue": 'Zoë "Ltd"', "stringListValues": [], "dataType": "String"},
        "priority": {"stringValue": "5", "binaryListValues": [], "dataType": "Number"},
        "thumbnail": {"binaryValue": "iVBORw0K", "dataType": "Binary"},
    }

    (message,) = parse_messages({"Records": [record]})

    # SentTimestamp is epoch milliseconds: 1545082649183.
    assert message.time == datetime(2018, 12, 17, 21, 37, 29, 183000, tzinfo=UTC)
    assert message.delivery_count == 3
    assert message.attributes == {"tenant": 'Zoë "Ltd"', "priority": "5", "thumbnail": "iVBORw0K"}


def test_an_empty_batch_has_no_messages():
    assert parse_messages({"Records": []}) == []
{%- elif cookiecutter.trigger == "schedule" %}


def test_a_scheduled_run_is_one_message_named_by_its_schedule_and_scheduled_time():
    (message,) = parse_messages(SAMPLE)

    assert message.id == f"{SAMPLE['schedule_arn']}@2026-11-23T08:00:00Z"
    assert json.loads(message.body)["execution_id"] == SAMPLE["execution_id"]


def test_a_run_carries_its_scheduled_time_and_schedule():
    (message,) = parse_messages(SAMPLE)

    assert message.time == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert message.schedule_arn == SAMPLE["schedule_arn"]


def test_every_attempt_of_a_run_is_the_same_message_and_the_next_run_another():
    # Scheduler gives each attempt of a run its own execution id.
    retried = {**copy.deepcopy(SAMPLE), "execution_id": "0b9e1f3c-2a6d-4e8b-9c7f-5d4a3b2c1e0f"}
    next_run = {**SAMPLE, "scheduled_time": "2026-11-23T08:05:00Z"}

    assert parse_messages(retried)[0].id == parse_messages(SAMPLE)[0].id
    assert parse_messages(next_run)[0].id != parse_messages(SAMPLE)[0].id
{%- elif cookiecutter.trigger == "eventbridge" %}


def test_an_event_is_one_message_named_by_its_id_and_carrying_the_whole_event():
    (message,) = parse_messages(SAMPLE)

    assert message.id == "6a7e8feb-b491-4cf7-a9f1-bf3703467718"
    assert json.loads(message.body) == SAMPLE  # source, detail-type and detail included


def test_an_event_carries_its_time_source_and_detail_type():
    (message,) = parse_messages(SAMPLE)

    assert message.time == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert (message.source, message.detail_type) == ("com.example.orders", "Order Placed")


def test_a_redelivered_event_is_the_same_message():
    assert parse_messages(copy.deepcopy(SAMPLE)) == parse_messages(SAMPLE)
{%- elif cookiecutter.trigger == "s3" %}


def test_each_created_object_is_a_message_carrying_its_record():
    (message,) = parse_messages(SAMPLE)
    record = SAMPLE["Records"][0]

    expected_key = {{ (cookiecutter.s3_prefix ~ "order-1001" ~ cookiecutter.s3_suffix) | urlencode | tojson }}
    assert message.id == f"{{ cookiecutter.project_slug[:40] }}-bucket/{expected_key}@0A1B2C3D4E5F678901"
    assert json.loads(message.body) == record


def test_a_message_carries_when_s3_created_the_object():
    (message,) = parse_messages(SAMPLE)

    assert message.time == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_overwriting_an_object_is_new_work_and_a_redelivery_is_not():
    overwritten = copy.deepcopy(SAMPLE)
    overwritten["Records"][0]["s3"]["object"]["sequencer"] = "0A1B2C3D4E5F678902"

    assert parse_messages(copy.deepcopy(SAMPLE)) == parse_messages(SAMPLE)
    assert parse_messages(overwritten)[0].id != parse_messages(SAMPLE)[0].id


def test_every_record_of_a_notification_is_a_message():
    two = copy.deepcopy(SAMPLE)
    two["Records"].append(copy.deepcopy(SAMPLE["Records"][0]))
    two["Records"][1]["s3"]["object"]["key"] = "other%20key.json"

    first, second = parse_messages(two)
    assert first == parse_messages(SAMPLE)[0]
    assert second.id == "{{ cookiecutter.project_slug[:40] }}-bucket/other%20key.json@0A1B2C3D4E5F678901"


def test_a_message_names_its_object_with_the_key_decoded():
    record = copy.deepcopy(SAMPLE)
    # S3 sends keys URL-encoded, a space as "+": this is "reports/März 2026 (final)+1.csv".
    record["Records"][0]["s3"]["object"]["key"] = "reports/M%C3%A4rz+2026+%28final%29%2B1.csv"

    (message,) = parse_messages(record)

    assert message.stored_object.bucket == "{{ cookiecutter.project_slug[:40] }}-bucket"
    assert message.stored_object.key == "reports/März 2026 (final)+1.csv"
{%- elif cookiecutter.trigger == "sns" %}


def test_each_record_is_a_message_with_its_id_and_the_published_text_unchanged():
    (message,) = parse_messages(SAMPLE)

    assert message.id == "95df01b4-ee98-5cb9-9903-4c221d41eb5e"
    assert message.body == '{"orderId": "1001", "event": "order.paid", "amount": "42.50"}'


def test_a_message_carries_when_it_was_published_its_subject_and_attributes():
    assert parse_messages(SAMPLE)[0].subject is None
    notification = copy.deepcopy(SAMPLE)
    sns = notification["Records"][0]["Sns"]
    sns["Subject"] = 'Order "1001" — paid'
    sns["MessageAttributes"] = {
        "tenant": {"Type": "String", "Value": "Zoë"},
        "regions": {"Type": "String.Array", "Value": '["eu-west-1", "us-east-1"]'},
        "priority": {"Type": "Number", "Value": "5"},
        "thumbnail": {"Type": "Binary", "Value": "iVBORw0K"},
    }

    (message,) = parse_messages(notification)

    assert message.time == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    assert message.subject == 'Order "1001" — paid'
    assert message.attributes == {
        "tenant": "Zoë",
        "regions": '["eu-west-1", "us-east-1"]',
        "priority": "5",
        "thumbnail": "iVBORw0K",
    }
    del sns["Subject"]  # SNS leaves the field out when there was no subject
    assert parse_messages(notification)[0].subject is None


def test_a_redelivered_notification_is_the_same_message():
    assert parse_messages(copy.deepcopy(SAMPLE)) == parse_messages(SAMPLE)
{%- elif cookiecutter.trigger == "invoke" %}


def test_an_invocation_is_one_message_named_by_its_request_id():
    (message,) = parse_messages(SAMPLE, "8f2b6c1e-3d4a-4b5c-9e7f-0a1b2c3d4e5f")

    assert message.id == "8f2b6c1e-3d4a-4b5c-9e7f-0a1b2c3d4e5f"
    assert json.loads(message.body) == SAMPLE


def test_any_json_payload_is_carried():
    for payload in (["a", 1], "text", 42, None):
        (message,) = parse_messages(payload, "request")
        assert json.loads(message.body) == payload


def test_a_retry_is_the_same_message():
    # Lambda retries an asynchronous invocation with the request id of the first attempt.
    assert parse_messages(copy.deepcopy(SAMPLE), "r-1") == parse_messages(SAMPLE, "r-1")
{%- endif %}
