"""The cold-start and concurrency answers, wired into the baked template.yaml: SnapStart or
provisioned concurrency on a published alias that the trigger invokes, reserved concurrency, and
the SQS trigger's maximum concurrency; and nothing of them when they are not chosen."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.environments import sandboxed_environ
from tests.parsing import load_yaml

SNAPSTART = {"cold_start": "snapstart", "python_version": "3.13"}
PROVISIONED = {"cold_start": "provisioned", "provisioned_concurrency": "2"}
LIMITS = {"reserved_concurrency": "50", "sqs_maximum_concurrency": "10"}

# What SAM makes of a template: the resources a deploy would create, without AWS (SAM needs a
# Region and an S3 CodeUri to translate, neither of which it reaches).
TRANSLATE = """
import json, sys
from cfnlint.decode import decode_str
from samtranslator.translator.transform import transform

class NoManagedPolicies:
    def load(self):
        return {}

template, _ = decode_str(sys.stdin.read())
template["Resources"]["Function"]["Properties"]["CodeUri"] = "s3://bucket/key"
print(json.dumps(transform(template, {}, NoManagedPolicies())["Resources"]))
"""


def function(project: Path) -> dict:
    template = load_yaml((project / "template.yaml").read_text(encoding="utf-8"))
    return template["Resources"]["Function"]["Properties"]


def translated(project: Path, tools_env: Path) -> dict[str, dict]:
    completed = subprocess.run(  # noqa: S603 - SAM's translator from the tools we installed
        [str(tools_env / "bin" / "python"), "-c", TRANSLATE],
        input=(project / "template.yaml").read_text(encoding="utf-8"),
        capture_output=True,
        text=True,
        env=sandboxed_environ(AWS_DEFAULT_REGION="us-east-1"),
        check=True,
    )
    return json.loads(completed.stdout)


def test_the_defaults_publish_nothing_and_reserve_nothing(bake):
    properties = function(bake({}))
    absent = {"AutoPublishAlias", "SnapStart", "ProvisionedConcurrencyConfig", "ReservedConcurrentExecutions"}
    assert not absent & set(properties)
    assert "ScalingConfig" not in properties["Events"]["Queue"]["Properties"]
    # Without reserved concurrency, checkov's policy that asks for it is skipped, with a reason.
    assert "checkov:skip=CKV_AWS_115" in (bake({}) / "template.yaml").read_text(encoding="utf-8")


def test_snapstart_applies_to_the_published_alias(bake):
    properties = function(bake(SNAPSTART))
    assert properties["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert properties["AutoPublishAlias"] == "live"
    assert "ProvisionedConcurrencyConfig" not in properties


def test_provisioned_concurrency_keeps_the_count_on_the_alias(bake):
    properties = function(bake(PROVISIONED))
    assert properties["ProvisionedConcurrencyConfig"] == {"ProvisionedConcurrentExecutions": 2}
    assert properties["AutoPublishAlias"] == "live"
    assert "SnapStart" not in properties


def test_reserved_and_maximum_concurrency(bake):
    project = bake(LIMITS)
    properties = function(project)
    assert properties["ReservedConcurrentExecutions"] == 50
    queue = properties["Events"]["Queue"]["Properties"]
    assert queue["ScalingConfig"] == {"MaximumConcurrency": 10}
    # Reserved concurrency is set, so checkov's CKV_AWS_115 passes without a skip.
    assert "CKV_AWS_115" not in (project / "template.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("answers", [SNAPSTART, PROVISIONED], ids=["snapstart", "provisioned"])
def test_the_trigger_invokes_the_alias(bake, tools_env, answers):
    resources = translated(bake(answers), tools_env)
    (alias,) = [name for name, resource in resources.items() if resource["Type"] == "AWS::Lambda::Alias"]
    assert resources[alias]["Properties"]["Name"] == "live"
    mappings = [
        resource for resource in resources.values() if resource["Type"] == "AWS::Lambda::EventSourceMapping"
    ]
    assert [mapping["Properties"]["FunctionName"] for mapping in mappings] == [{"Ref": alias}]
    if answers is PROVISIONED:
        config = resources[alias]["Properties"]["ProvisionedConcurrencyConfig"]
        assert config == {"ProvisionedConcurrentExecutions": 2}


@pytest.mark.parametrize("trigger", ["invoke", "sns"])
@pytest.mark.parametrize("answers", [SNAPSTART, PROVISIONED], ids=["snapstart", "provisioned"])
def test_every_qualifier_an_async_event_can_reach_has_the_failure_path(bake, tools_env, answers, trigger):
    # Lambda applies an EventInvokeConfig to one qualifier, and SAM puts the function's on the
    # alias; a caller of the unqualified ARN runs $LATEST, which must not drop a failed event.
    resources = translated(bake({**answers, "trigger": trigger}), tools_env)
    configs = {
        resource["Properties"]["Qualifier"]: resource["Properties"]
        for resource in resources.values()
        if resource["Type"] == "AWS::Lambda::EventInvokeConfig"
    }
    assert set(configs) == {"live", "$LATEST"}
    for config in configs.values():
        assert config["MaximumRetryAttempts"] == 2
        assert config["DestinationConfig"]["OnFailure"]["Destination"] == {
            "Fn::GetAtt": ["DeadLetterQueue", "Arn"]
        }
