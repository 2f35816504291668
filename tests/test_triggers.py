"""Each trigger's wiring in the baked template.yaml, and where a failed event ends up: the SQS
queue's redrive policy, or, for every asynchronous trigger, Lambda's bounded retries and an
on-failure destination, plus the event source's own retries and dead-letter queue where the
source itself can fail to deliver. Checked on the template and on what SAM makes of it."""

from __future__ import annotations

import graphlib
import json
import re
from pathlib import Path

import pytest

from tests.parsing import load_yaml
from tests.test_bake import TRIGGERS
from tests.test_cold_start import translated

ASYNCHRONOUS = ["schedule", "eventbridge", "s3", "sns", "invoke"]
DLQ_ARN = {"GetAtt": "DeadLetterQueue.Arn"}
DLQ_ARN_TRANSLATED = {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}
MAX_EVENT_AGE = 21_600  # Lambda's own maximum, six hours


def template(project: Path) -> dict:
    return load_yaml((project / "template.yaml").read_text(encoding="utf-8"))


def trigger_answers(trigger: str) -> dict[str, str]:
    """The first answer set of tests/test_bake.py's TRIGGERS for ``trigger``."""
    return next(answers for answers in TRIGGERS if answers["trigger"] == trigger)


def role_statements(resources: dict) -> list[dict]:
    policies = resources["FunctionRole"]["Properties"]["Policies"]
    return [statement for policy in policies for statement in policy["PolicyDocument"]["Statement"]]


def depends_on(resources: dict[str, dict]) -> dict[str, set[str]]:
    """Each resource of a translated template and the resources it waits for: those it names
    with Ref, Fn::GetAtt, Fn::Sub or DependsOn. CloudFormation creates them in that order."""

    def named(value: object) -> set[str]:
        if isinstance(value, list):
            return set().union(*map(named, value))
        if not isinstance(value, dict):
            return set()
        if set(value) == {"Ref"}:
            return {value["Ref"]}
        if set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            return {target[0] if isinstance(target, list) else target.split(".")[0]}
        if set(value) == {"Fn::Sub"}:
            sub = value["Fn::Sub"]
            text, variables = (sub, {}) if isinstance(sub, str) else sub
            in_text = {name.split(".")[0] for name in re.findall(r"\$\{(?!!)([^}]+)\}", text)}
            return (in_text - set(variables)) | named(list(variables.values()))
        return named(list(value.values()))

    graph = {}
    for name, resource in resources.items():
        after = resource.get("DependsOn", [])
        after = {after} if isinstance(after, str) else set(after)
        graph[name] = (named(resource.get("Properties", {})) | after) & set(resources)
    return graph


@pytest.mark.parametrize("answers", TRIGGERS, ids=lambda answers: answers["trigger"])
def test_every_resource_can_be_created_before_those_that_need_it(bake, tools_env, answers):
    # CloudFormation refuses a template whose resources wait for each other in a circle, at
    # deploy: neither `sam validate --lint` nor cfn-lint says so beforehand.
    resources = translated(bake(answers), tools_env)
    graphlib.TopologicalSorter(depends_on(resources)).prepare()  # raises CycleError
    if answers["trigger"] == "s3":
        # The trap this guards against: the role itself granting a read of the bucket.
        resources["FunctionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"].append(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${Bucket.Arn}/*"}}
        )
        with pytest.raises(graphlib.CycleError):
            graphlib.TopologicalSorter(depends_on(resources)).prepare()


def test_sqs_failures_stay_in_the_queue_until_the_redrive_policy_moves_them(bake):
    resources = template(bake({}))["Resources"]
    function = resources["Function"]["Properties"]
    assert "EventInvokeConfig" not in function  # SQS invokes synchronously: no async retries
    assert function["Events"]["Queue"]["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    redrive = resources["Queue"]["Properties"]["RedrivePolicy"]
    assert redrive == {"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": 5}


@pytest.mark.parametrize("trigger", ASYNCHRONOUS)
def test_an_async_event_is_retried_a_bounded_number_of_times_then_kept_in_the_dlq(bake, trigger):
    resources = template(bake({"trigger": trigger}))["Resources"]
    config = resources["Function"]["Properties"]["EventInvokeConfig"]
    assert 0 <= config["MaximumRetryAttempts"] <= 2
    assert 60 <= config["MaximumEventAgeInSeconds"] <= MAX_EVENT_AGE
    assert config["DestinationConfig"]["OnFailure"] == {"Type": "SQS", "Destination": DLQ_ARN}
    # Lambda sends to the destination with the function's role: exactly that queue, that action.
    sends = [s for s in role_statements(resources) if "sqs:SendMessage" in str(s["Action"])]
    assert sends == [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": DLQ_ARN}]
    assert "Queue" not in resources  # no source queue: nothing of the sqs trigger is left
    dlq = resources["DeadLetterQueue"]["Properties"]
    assert dlq["RedriveAllowPolicy"] == {"redrivePermission": "denyAll"}
    assert resources["DeadLetterQueueAlarm"]["Properties"]["Dimensions"][0]["Value"] == {
        "GetAtt": "DeadLetterQueue.QueueName"
    }


def test_invoke_has_no_event_source(bake):
    function = template(bake({"trigger": "invoke"}))["Resources"]["Function"]["Properties"]
    assert "Events" not in function


def test_the_schedule_retries_and_keeps_what_lambda_refuses(bake, tools_env):
    answers = trigger_answers("schedule")
    project = bake(answers)
    schedule = template(project)["Resources"]["Function"]["Properties"]["Events"]["Schedule"]
    assert schedule["Type"] == "ScheduleV2"
    properties = schedule["Properties"]
    assert properties["ScheduleExpression"] == answers["schedule_expression"]
    assert properties["OmitName"] is True  # two stacks in one account would clash on a name
    assert properties["DeadLetterConfig"] == {"Arn": DLQ_ARN}
    assert 0 < properties["RetryPolicy"]["MaximumRetryAttempts"] <= 185
    assert properties["RetryPolicy"]["MaximumEventAgeInSeconds"] <= 86_400
    # events.py names a run by these two, the same on every attempt (the execution id is not).
    run = json.loads(properties["Input"])
    assert (run["schedule_arn"], run["scheduled_time"]) == (
        "<aws.scheduler.schedule-arn>",
        "<aws.scheduler.scheduled-time>",
    )

    resources = translated(project, tools_env)
    (created,) = [r for r in resources.values() if r["Type"] == "AWS::Scheduler::Schedule"]
    assert created["Properties"]["Target"]["DeadLetterConfig"] == {"Arn": DLQ_ARN_TRANSLATED}
    assert "Name" not in created["Properties"]
    (role,) = [
        r for r in resources.values() if r["Type"] == "AWS::IAM::Role" and r is not resources["FunctionRole"]
    ]
    granted = [s for policy in role["Properties"]["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    assert {"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": DLQ_ARN_TRANSLATED} in granted


def test_the_rule_matches_the_pattern_and_keeps_what_it_cannot_deliver(bake, tools_env):
    answers = trigger_answers("eventbridge")
    project = bake(answers)
    resources = template(project)["Resources"]
    rule = resources["Function"]["Properties"]["Events"]["MatchingEvents"]["Properties"]
    assert rule["Pattern"] == json.loads(answers["event_pattern"])  # unicode and quotes intact
    assert rule["DeadLetterConfig"] == {"Arn": DLQ_ARN}
    assert 0 < rule["RetryPolicy"]["MaximumRetryAttempts"] <= 185
    statement = resources["DeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"] == {
        "ArnEquals": {"aws:SourceArn": {"GetAtt": "FunctionMatchingEvents.Arn"}}
    }

    translated_resources = translated(project, tools_env)
    target = translated_resources["FunctionMatchingEvents"]["Properties"]["Targets"][0]
    assert target["DeadLetterConfig"] == {"Arn": DLQ_ARN_TRANSLATED}


def test_the_bucket_is_private_encrypted_and_notifies_on_the_filtered_keys(bake, tools_env):
    answers = trigger_answers("s3")
    project = bake(answers)
    resources = template(project)["Resources"]
    bucket = resources["Bucket"]
    assert bucket["DeletionPolicy"] == "Retain"  # the objects are the users' data
    assert bucket["Properties"]["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]
    }
    deny = resources["BucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": False}}
    event = resources["Function"]["Properties"]["Events"]["ObjectCreated"]["Properties"]
    assert event["Events"] == "s3:ObjectCreated:*"
    rules = event["Filter"]["S3Key"]["Rules"]
    assert rules == [
        {"Name": "prefix", "Value": answers["s3_prefix"]},
        {"Name": "suffix", "Value": answers["s3_suffix"]},
    ]
    assert (
        "Filter"
        not in template(bake({"trigger": "s3", "s3_prefix": "", "s3_suffix": ""}))["Resources"]["Function"][
            "Properties"
        ]["Events"]["ObjectCreated"]["Properties"]
    )
    # S3 notifications need the function's permission, which SAM scopes to this account.
    permissions = [
        r for r in translated(project, tools_env).values() if r["Type"] == "AWS::Lambda::Permission"
    ]
    assert [p["Properties"]["Principal"] for p in permissions] == ["s3.amazonaws.com"]
    assert "SourceAccount" in permissions[0]["Properties"]
    # The function may read the keys the filter matches, taken literally, and nothing else.
    read = resources["ReadCreatedObjects"]["Properties"]
    assert read["RoleName"] == {"Ref": "FunctionRole"}
    (statement,) = read["PolicyDocument"]["Statement"]
    assert statement["Action"] == "s3:GetObject"
    literal_prefix = answers["s3_prefix"].replace("$", "${$}").replace("*", "${*}").replace("?", "${?}")
    assert statement["Resource"] == {
        "Join": ["", [{"GetAtt": "Bucket.Arn"}, "/", literal_prefix, "*", answers["s3_suffix"]]]
    }
    assert "s3:" not in json.dumps(role_statements(resources))


def test_the_subscription_keeps_what_sns_cannot_deliver(bake, tools_env):
    project = bake({"trigger": "sns"})
    resources = template(project)["Resources"]
    event = resources["Function"]["Properties"]["Events"]["Published"]["Properties"]
    assert event["RedrivePolicy"] == {"deadLetterTargetArn": DLQ_ARN}
    assert resources["Topic"]["Properties"]["KmsMasterKeyId"] == "alias/aws/sns"
    statement = resources["DeadLetterQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Ref": "Topic"}}}
    # SNS documents a customer managed key for an encrypted DLQ, whose policy admits it.
    dlq = resources["DeadLetterQueue"]["Properties"]
    assert dlq["KmsMasterKeyId"] == {"Ref": "DeadLetterQueueKey"}
    assert "SqsManagedSseEnabled" not in dlq
    key_statements = resources["DeadLetterQueueKey"]["Properties"]["KeyPolicy"]["Statement"]
    (for_sns,) = [s for s in key_statements if s["Principal"] == {"Service": "sns.amazonaws.com"}]
    assert for_sns["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Ref": "Topic"}}}
    # Lambda's on-failure records are sent with the function's role, which needs the key too.
    key_use = [s for s in role_statements(resources) if "kms:GenerateDataKey" in s["Action"]]
    assert key_use == [
        {
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": {"GetAtt": "DeadLetterQueueKey.Arn"},
        }
    ]

    (subscription,) = [
        r for r in translated(project, tools_env).values() if r["Type"] == "AWS::SNS::Subscription"
    ]
    assert subscription["Properties"]["Protocol"] == "lambda"
    assert subscription["Properties"]["RedrivePolicy"] == {"deadLetterTargetArn": DLQ_ARN_TRANSLATED}
