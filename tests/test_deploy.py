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
