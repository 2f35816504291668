"""What AWS deploys from every bake of the combination table: SAM's own translation of
template.yaml (aws-sam-translator, from the tools environment), held to the deploy layer's
invariants, so that what CloudFormation and CloudWatch make of the template cannot drift from
what the README promises.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_bake import COMBINATIONS, combination_id
from tests.test_cold_start import translated

TRANSLATIONS: dict[str, dict[str, dict]] = {}


@pytest.fixture
def resources(bake, tools_env, answers) -> dict[str, dict]:
    """The resources a deploy of this bake would create, translated once per session."""
    key = combination_id(answers)
    if key not in TRANSLATIONS:
        TRANSLATIONS[key] = translated(Path(bake(answers)), tools_env)
    return TRANSLATIONS[key]


def of_type(resources: dict[str, dict], kind: str) -> list[dict]:
    return [resource["Properties"] for resource in resources.values() if resource["Type"] == kind]


@pytest.mark.parametrize("answers", COMBINATIONS, ids=combination_id)
def test_report_lines_are_delivered(resources):
    """At system log level INFO (or DEBUG) Lambda sends each invocation's report record, with the
    durations and memory the README's tuning reads (Lambda Developer Guide, "Log-level
    filtering"); at WARN it does not."""
    (function,) = of_type(resources, "AWS::Lambda::Function")
    assert function["LoggingConfig"].get("SystemLogLevel", "INFO") in {"INFO", "DEBUG"}


@pytest.mark.parametrize("answers", COMBINATIONS, ids=combination_id)
def test_every_asynchronous_failure_path_alarms_when_its_record_is_lost(resources):
    """Lambda counts a failure record it cannot deliver to the on-failure destination as
    DestinationDeliveryFailures (Lambda Developer Guide, "Capturing records of Lambda
    asynchronous invocations"): wherever an EventInvokeConfig sends records, that metric of the
    function (every qualifier: the FunctionName dimension) has an alarm that notifies."""
    configs = of_type(resources, "AWS::Lambda::EventInvokeConfig")
    alarms = [
        alarm
        for alarm in of_type(resources, "AWS::CloudWatch::Alarm")
        if alarm["Namespace"] == "AWS/Lambda" and alarm["MetricName"] == "DestinationDeliveryFailures"
    ]
    if not configs:  # the sqs trigger: failed records stay in its queue, whose redrive moves them
        assert not alarms
        return
    assert all("OnFailure" in config["DestinationConfig"] for config in configs)
    (alarm,) = alarms
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "Function"}}]
    assert (alarm["Statistic"], alarm["Threshold"], alarm["ComparisonOperator"]) == (
        "Sum",
        0,
        "GreaterThanThreshold",
    )
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]


PUBLISHED = [answers for answers in COMBINATIONS if answers.get("cold_start", "none") != "none"]


def version_ids(resources: dict[str, dict]) -> set[str]:
    return {name for name, resource in resources.items() if resource["Type"] == "AWS::Lambda::Version"}


@pytest.mark.parametrize("answers", PUBLISHED, ids=combination_id)
def test_a_change_of_any_function_property_publishes_a_version_for_the_alias(
    bake, tools_env, answers, resources, tmp_path
):
    """SAM names the version it publishes after a hash of what it watches, so a deploy creates a
    new version, and moves the alias "live" to it, only when that hash changes (SAM's
    AWS::Serverless::Function, AutoPublishAlias and AutoPublishAliasAllProperties). Without
    AutoPublishAliasAllProperties it watches the code, Environment, MemorySize and SnapStart only."""
    template = (Path(bake(answers)) / "template.yaml").read_text(encoding="utf-8")
    (function,) = of_type(resources, "AWS::Lambda::Function")
    timeout = f"      Timeout: {function['Timeout']}\n"
    changes = {
        "Timeout": (timeout, f"      Timeout: {function['Timeout'] + 1}\n"),
        "ApplicationLogLevel": ("ApplicationLogLevel: INFO", "ApplicationLogLevel: WARN"),
        "Tracing": (timeout, f"{timeout}      Tracing: PassThrough\n"),
    }
    (before,) = version_ids(resources)
    for name, (old, new) in changes.items():
        assert template.count(old) == 1, name
        (tmp_path / "template.yaml").write_text(template.replace(old, new), encoding="utf-8")
        (after,) = version_ids(translated(tmp_path, tools_env))
        assert after != before, f"a new {name} publishes no version: the alias keeps the old one"


def test_a_change_of_reserved_concurrency_alone_asks_for_a_version_lambda_will_not_publish(
    bake, tools_env, tmp_path
):
    """The hazard the template and README warn of (contract row 39, SAM issue 3281): with
    AutoPublishAliasAllProperties SAM hashes ReservedConcurrentExecutions too, a setting no
    version holds, so a deploy changing only it asks for a new version while Lambda, seeing the
    code and version settings unchanged, publishes none (PublishVersion), and the deploy rolls
    back. The day SAM leaves it out of the hash, this test fails and the warnings can go."""
    project = Path(bake({"cold_start": "provisioned", "reserved_concurrency": "5"}))
    template = (project / "template.yaml").read_text(encoding="utf-8")
    old = "      ReservedConcurrentExecutions: 5\n"
    assert template.count(old) == 1
    assert "SAM issue 3281" in template[: template.index(old)].rsplit("\n\n", 1)[-1]
    assert "only `ReservedConcurrentExecutions`" in (project / "README.md").read_text(encoding="utf-8")
    (before,) = version_ids(translated(project, tools_env))
    (tmp_path / "template.yaml").write_text(template.replace(old, old.replace("5", "6")), encoding="utf-8")
    (after,) = version_ids(translated(tmp_path, tools_env))
    assert after != before


# Each parameter the function reads, and two values it may take.
PARAMETER_VALUES = {
    "TargetUrl": ('"https://old.example.com/hook"', '"https://new.example.com/hook"'),
    "SecretName": ('"relay/old-key"', '"relay/new-key"'),
    "ExistingSecretArn": (
        '"arn:aws:secretsmanager:us-east-1:123456789012:secret:old-AbCdEf"',
        '"arn:aws:secretsmanager:us-east-1:123456789012:secret:new-GhIjKl"',
    ),
}


@pytest.mark.parametrize("answers", PUBLISHED, ids=combination_id)
def test_a_new_parameter_value_publishes_a_version_for_the_alias(bake, tools_env, answers, tmp_path):
    """With AWS::LanguageExtensions before SAM's transform, "CloudFormation resolves references
    to their actual values before AWS SAM computes the version hash" (SAM's
    AWS::Serverless::Function, AutoPublishAliasAllProperties). That resolution happens inside
    CloudFormation and is taken on AWS's word: here each reference is replaced by a value, as
    it would be, and SAM's own translation must publish a new version for a new value."""
    template = (Path(bake(answers)) / "template.yaml").read_text(encoding="utf-8")
    read = [name for name in PARAMETER_VALUES if f"!Ref {name}" in template]
    # Only a template with parameters needs the extra transform.
    transforms = "Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]"
    assert template.count(transforms) == (1 if read else 0)
    for name in read:
        versions = set()
        for value in PARAMETER_VALUES[name]:
            (tmp_path / "template.yaml").write_text(template.replace(f"!Ref {name}", value), encoding="utf-8")
            versions |= version_ids(translated(tmp_path, tools_env))
        assert len(versions) == 2, f"a new {name} publishes no version: the alias keeps the old one"


@pytest.mark.parametrize("answers", COMBINATIONS, ids=combination_id)
def test_the_dead_letter_queue_takes_the_largest_record(resources):
    """SQS refuses a message over the queue's MaximumMessageSize, at most 1 MiB (CreateQueue); an
    asynchronous event may be 1 MB (Lambda's Invoke), and Lambda's record wraps it."""
    assert resources["DeadLetterQueue"]["Properties"]["MaximumMessageSize"] == 1024 * 1024


@pytest.mark.parametrize("answers", PUBLISHED, ids=combination_id)
def test_a_snapstart_version_the_alias_left_is_deleted(answers, resources):
    """Each SnapStart version's snapshot is billed while the version exists ("Improving startup
    performance with Lambda SnapStart", pricing); SAM retains versions unless told otherwise."""
    (version,) = (resource for resource in resources.values() if resource["Type"] == "AWS::Lambda::Version")
    expected = "Delete" if answers["cold_start"] == "snapstart" else "Retain"
    assert version["DeletionPolicy"] == expected


@pytest.mark.parametrize("answers", COMBINATIONS, ids=combination_id)
def test_a_service_may_invoke_the_function_only_from_this_account(resources):
    """Each permission for a service names its source: the resource's ARN, or for S3, whose bucket
    ARNs hold no account, this account (Lambda Developer Guide, "Granting Lambda function access to
    AWS services"). It is granted on what the trigger invokes, the alias where there is one: a
    grant on the unqualified ARN does not admit a qualified call (Lambda Developer Guide,
    "Fine-tuning the Resources and Conditions sections of policies")."""
    alias = [name for name, resource in resources.items() if resource["Type"] == "AWS::Lambda::Alias"]
    for permission in of_type(resources, "AWS::Lambda::Permission"):
        assert permission["Action"] == "lambda:InvokeFunction"
        assert permission["FunctionName"] == ({"Ref": alias[0]} if alias else {"Ref": "Function"})
        if permission["Principal"] == "s3.amazonaws.com":
            assert permission["SourceAccount"] == {"Ref": "AWS::AccountId"}
        else:
            assert "SourceArn" in permission, permission


@pytest.mark.parametrize("answers", COMBINATIONS, ids=combination_id)
def test_a_created_secret_goes_with_the_stack_and_the_readme_says_how_to_reuse_its_name(
    bake, answers, resources
):
    """A secret scheduled for deletion keeps its name, and CreateSecret of that name fails until it
    is gone (DeleteSecret; CreateSecret): a stack made again at once needs another name."""
    secrets = {name: r for name, r in resources.items() if r["Type"] == "AWS::SecretsManager::Secret"}
    readme = (Path(bake(answers)) / "README.md").read_text(encoding="utf-8")
    if not secrets:
        assert "--force-delete-without-recovery" not in readme
        return
    ((_, secret),) = secrets.items()
    assert secret["Properties"]["Name"] == {"Ref": "SecretName"}
    assert secret["DeletionPolicy"] == "Delete"
    assert "aws secretsmanager delete-secret --secret-id <name> --force-delete-without-recovery" in readme


# The metric an event source counts an event in when it cannot put it into its dead-letter queue.
SOURCE_DEAD_LETTER_FAILURES = {
    "schedule": ("AWS/Scheduler", "InvocationsFailedToBeSentToDeadLetterCount", "ScheduleGroup"),
    "eventbridge": ("AWS/Events", "InvocationsFailedToBeSentToDlq", "RuleName"),
    "sns": ("AWS/SNS", "NumberOfNotificationsFailedToRedriveToDlq", "TopicName"),
}


@pytest.mark.parametrize("answers", COMBINATIONS, ids=combination_id)
def test_an_event_source_that_cannot_dead_letter_alarms(answers, resources):
    """Scheduler, EventBridge and SNS put what they could not deliver into the dead-letter queue
    themselves, and count what they cannot put there (contract row 46): that count has an alarm on
    this stack's schedule group, rule or topic, and the schedule is in that group."""
    trigger = answers.get("trigger", "sqs")
    alarms = {
        (alarm["Namespace"], alarm["MetricName"]): alarm
        for alarm in of_type(resources, "AWS::CloudWatch::Alarm")
        if alarm["MetricName"] in {metric for _, metric, _ in SOURCE_DEAD_LETTER_FAILURES.values()}
    }
    if trigger not in SOURCE_DEAD_LETTER_FAILURES:
        assert not alarms
        return
    namespace, metric, dimension = SOURCE_DEAD_LETTER_FAILURES[trigger]
    alarm = alarms[namespace, metric]
    ((name, value),) = ((d["Name"], d["Value"]) for d in alarm["Dimensions"])
    assert name == dimension
    source = {
        "schedule": "AWS::Scheduler::ScheduleGroup",
        "eventbridge": "AWS::Events::Rule",
        "sns": "AWS::SNS::Topic",
    }[trigger]
    referenced = value.get("Ref") or value["Fn::GetAtt"][0]
    assert resources[referenced]["Type"] == source
    if trigger == "schedule":
        (schedule,) = of_type(resources, "AWS::Scheduler::Schedule")
        assert schedule["GroupName"] == {"Ref": referenced}
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
