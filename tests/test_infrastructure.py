"""Every baked variant's template.yaml, scanned: checkov passes with every exception skipped inline
with a reason; no IAM statement grants a wildcard outside a listed AWS necessity; what holds data
is encrypted; logs are kept for a set time; nothing is public."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.environments import make, sandboxed_environ
from tests.parsing import load_yaml
from tests.test_bake import COMBINATIONS, combination_id
from tests.test_hooks import hook

# Wildcards AWS requires, each with the reason: (resource type, field, the statement's actions or
# None for any, reason).
ALLOWED_WILDCARDS = [
    ("AWS::KMS::Key", "Resource", None, 'in a key policy, "Resource": "*" means the key itself'),
    (
        "AWS::KMS::Key",
        "Action",
        frozenset({"kms:*"}),
        "the default key policy's statement for the account: IAM policies administer the key; "
        "without it no one could manage or delete the key",
    ),
    (
        "AWS::KMS::Key",
        "Action",
        frozenset({"kms:Decrypt", "kms:GenerateDataKey*"}),
        "what SNS documents for an AWS service (here CloudWatch alarms) publishing to a topic "
        "encrypted with the key; the statement is limited to this account's alarms",
    ),
    (
        "AWS::IAM::Role",
        "Resource",
        frozenset({"xray:PutTraceSegments", "xray:PutTelemetryRecords"}),
        'X-Ray has no resource-level permissions for these actions: "*" is the only resource',
    ),
    (
        "AWS::IAM::RolePolicy",
        "Resource",
        frozenset({"s3:GetObject"}),
        "the objects of the s3 trigger's bucket that its filter matches: their keys are unknown in "
        'advance, so "*" stands between the prefix and the suffix, and the bucket is named',
    ),
]
SKIP = re.compile(r"#\s*checkov:skip=(CKV2?_[A-Z0-9_]+)\s*:\s*(.*)$", re.MULTILINE)


@pytest.fixture(scope="module")
def templates(bake) -> dict[str, Path]:
    return {combination_id(answers): bake(answers) / "template.yaml" for answers in COMBINATIONS}


def resources(template: Path) -> dict[str, dict]:
    return load_yaml(template.read_text(encoding="utf-8"))["Resources"]


def as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def statements(node: object) -> Iterator[dict]:
    """Yield every policy statement anywhere under ``node`` (roles, key and queue policies...)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Statement":
                yield from as_list(value)
            else:
                yield from statements(value)
    elif isinstance(node, list):
        for item in node:
            yield from statements(item)


# --- checkov ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def checkov_report(scan_env, templates) -> list[dict]:
    """checkov over every variant's template in one run (its start-up is most of its time)."""
    arguments = [str(scan_env / "bin" / "checkov"), "--framework", "cloudformation", "--skip-download"]
    arguments += ["--output", "json"]
    for path in templates.values():
        arguments += ["--file", str(path)]
    completed = subprocess.run(  # noqa: S603 - the scanner we installed, on files we baked
        arguments, capture_output=True, text=True, env=sandboxed_environ(), check=False
    )
    report = json.loads(completed.stdout)
    return report if isinstance(report, list) else [report]


def test_make_scan_passes(bake, scan_env):
    result = make(bake({}), "scan", f"SCAN_VENV={scan_env}")
    assert "Failed checks: 0" in result.stdout


def test_checkov_passes_every_variant(checkov_report, templates, security_counts, skip_reasons):
    results = [report["results"] for report in checkov_report if report.get("check_type") == "cloudformation"]
    failed = [check for result in results for check in result["failed_checks"]]
    assert not failed, [(check["check_id"], check["resource"], check["file_path"]) for check in failed]
    scanned = {check["file_abs_path"] for result in results for check in result["passed_checks"]}
    assert scanned == {str(path) for path in templates.values()}, "every variant was scanned"
    for result in results:
        security_counts["checkov checks passed"] += len(result["passed_checks"])
        security_counts["checkov checks skipped"] += len(result["skipped_checks"])
        for check in result["skipped_checks"]:
            skip_reasons[check["check_id"]] = check["check_result"].get("suppress_comment", "").strip()
    security_counts["checkov templates scanned"] += len(templates)


def test_every_skip_says_why(templates):
    for path in templates.values():
        for check_id, reason in SKIP.findall(path.read_text(encoding="utf-8")):
            assert len(reason.split()) >= 5, f"{path}: {check_id} is skipped without a reason"


# --- IAM ----------------------------------------------------------------------------------------


def wildcard_allowed(resource_type: str, field: str, actions: frozenset[str]) -> bool:
    return any(
        resource_type == allowed_type and field == allowed_field and allowed_actions in (None, actions)
        for allowed_type, allowed_field, allowed_actions, _reason in ALLOWED_WILDCARDS
    )


def test_no_wildcard_in_any_iam_statement(templates):
    for name, path in templates.items():
        found = 0
        for logical_id, resource in resources(path).items():
            # AWS managed policies grant far more than one function needs.
            assert "ManagedPolicyArns" not in resource.get("Properties", {}), f"{name}: {logical_id}"
            for statement in statements(resource.get("Properties", {})):
                found += 1
                if statement.get("Effect") == "Deny":
                    continue  # a Deny grants nothing: its wildcards widen what is refused
                actions = frozenset(as_list(statement.get("Action", [])))
                assert not {"NotAction", "NotResource"} & set(statement), f"{name}: {logical_id}"
                assert statement.get("Principal") not in ("*", {"AWS": "*"}), f"{logical_id}: public"
                for field in ("Action", "Resource"):
                    wild = [value for value in as_list(statement.get(field, [])) if "*" in str(value)]
                    if wild and not wildcard_allowed(resource["Type"], field, actions):
                        pytest.fail(f"{name}: {logical_id} grants {field} {wild} for {sorted(actions)}")
        assert found, f"{name}: no statement found to check"


# --- Data at rest, logs, public access ----------------------------------------------------------


def test_what_holds_data_is_encrypted_and_logs_expire(templates):
    for name, path in templates.items():
        all_resources = resources(path)
        kinds = {resource["Type"] for resource in all_resources.values()}
        assert "AWS::Logs::LogGroup" in kinds, name
        for logical_id, resource in all_resources.items():
            properties = resource.get("Properties", {})
            where = f"{name}: {logical_id}"
            match resource["Type"]:
                case "AWS::SQS::Queue":
                    sse = properties.get("SqsManagedSseEnabled") is True
                    encrypted = sse or "KmsMasterKeyId" in properties
                    assert encrypted, where
                case "AWS::SNS::Topic":
                    assert "KmsMasterKeyId" in properties, where
                case "AWS::KMS::Key":
                    assert properties.get("EnableKeyRotation") is True, where
                case "AWS::Logs::LogGroup":
                    assert isinstance(properties.get("RetentionInDays"), int), where
                case "AWS::S3::Bucket":
                    assert "BucketEncryption" in properties, where
                    block = properties.get("PublicAccessBlockConfiguration", {})
                    assert all(
                        block.get(setting) is True
                        for setting in (
                            "BlockPublicAcls",
                            "BlockPublicPolicy",
                            "IgnorePublicAcls",
                            "RestrictPublicBuckets",
                        )
                    ), where
                case "AWS::SecretsManager::Secret":
                    assert "SecretString" not in properties, f"{where}: a secret's value in the template"
                case "AWS::Serverless::Function" | "AWS::Lambda::Function":
                    # The function logs to the log group above, whose retention is set.
                    assert "LogGroup" in properties.get("LoggingConfig", {}), where
                    variables = properties.get("Environment", {}).get("Variables", {})
                    # The template's own names (SECRET_NAME, SECRET_TTL_SECONDS) point at the secret.
                    credentials = [
                        key
                        for key in variables
                        if key not in hook.TEMPLATE_NAMES and hook.looks_like_credential(key)
                    ]
                    assert not credentials, f"{where}: credentials in environment variables"
