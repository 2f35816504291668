"""deploy-roles.yaml, the stack `make bootstrap` creates: the role each GitHub environment assumes.

What can be checked offline is checked here: who may assume the role (GitHub's tokens for this
repository's environment, minted for STS, and nothing else), that it allows every call a deploy of
any variant makes and nothing beyond the stack's own resources, and that "*" appears only where
AWS authorizes an action on "*" alone.

The calls a deploy makes are derived, not listed by hand: without a service role CloudFormation
makes every resource handler's calls with the deploying role's credentials ("CloudFormation
service role", CloudFormation User Guide), and each resource type's schema (cfn-lint's copy of
the CloudFormation registry's) lists the permissions of its create, read, update and delete
handlers. Which resource an action applies to, and which actions take "*" alone, is AWS's Service
Authorization Reference (cfn-lint's AdditionalSpecs/Policies.json is its machine-readable copy).
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import tomllib
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from cloudformation_cli_python_lib.identifier_utils import generate_resource_identifier

from tests.environments import make, sandboxed_environ
from tests.git_projects import run
from tests.parsing import load_yaml
from tests.test_bake import COMBINATIONS, combination_id
from tests.test_cold_start import translated
from tests.test_hooks import hook

ACCOUNT = "123456789012"
ENVIRONMENTS = ("dev", "prod")
REPOSITORY = "octo-org/octo-repo"
REPOSITORY_WITH_IDS = "octo-org@9919/octo-repo@1296269"

# What `sam deploy` itself calls (SAM CLI's samcli/lib/deploy/deployer.py and
# samcli/lib/package/s3_uploader.py, at the version requirements/tools.txt pins): the stack's
# change sets, their events, and the package it uploads (head_object, then put_object).
SAM_DEPLOY_CALLS = [
    "cloudformation:DescribeStacks",
    "cloudformation:GetTemplateSummary",
    "cloudformation:CreateChangeSet",
    "cloudformation:DescribeChangeSet",
    "cloudformation:ExecuteChangeSet",
    "cloudformation:DescribeStackEvents",
    "s3:GetObject",
    "s3:PutObject",
]
# What `make smoke` calls on dev (local/smoke.py, local/async_invoke.py).
SMOKE_CALLS = [
    "cloudformation:DescribeStacks",
    "lambda:InvokeFunction",
    "lambda:GetFunctionConfiguration",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "kms:Decrypt",  # an sns trigger's dead-letter queue has a key of its own
]

# Handler permissions no deploy of this template calls, each with the property whose absence
# from every translated template shows it (None: the reason alone) and the reason. A handler
# lists what any use of its type may need; these serve features the template never uses.
NOT_CALLED = {
    "ec2:*": ("VpcConfig", "no function runs in a VPC"),
    "elasticfilesystem:*": ("FileSystemConfigs", "no function mounts a file system"),
    "s3files:*": ("FileSystemConfigs", "no function mounts a file system"),
    "lambda:GetCodeSigningConfig": ("CodeSigningConfigArn", "no code signing configuration"),
    "lambda:PutFunctionCodeSigningConfig": ("CodeSigningConfigArn", "no code signing configuration"),
    "lambda:DeleteFunctionCodeSigningConfig": ("CodeSigningConfigArn", "no code signing configuration"),
    "lambda:GetLayerVersion": ("Layers", "the function has no layers"),
    "lambda:*CapacityProvider": ("CapacityProviderConfig", "no capacity provider"),
    "lambda:AssociateRuntimeAlias": ("RuntimeManagementConfig", "the runtime is managed by Lambda"),
    "lambda:*FunctionScalingConfig": ("FunctionScalingConfig", "no scaling configuration"),
    "lambda:PutFunctionRecursionConfig": ("RecursiveLoop", "Lambda's default recursion detection"),
    "kms:GenerateDataKey": ("KmsKeyArn", "no function or mapping is encrypted with a customer key"),
    "kms:Decrypt": ("KmsKeyArn", "no function or mapping is encrypted with a customer key"),
    "kms:CreateGrant": ("KmsKeyArn", "no function or table is encrypted with a customer key"),
    "kms:Encrypt": ("KmsKeyArn", "no function or table is encrypted with a customer key"),
    "codedeploy:*": ("DeploymentPreference", "no gradual deployment of the alias"),
    "s3:GetObjectVersion": ("S3ObjectVersion", "the package is one object, not a version"),
    "logs:*KmsKey": ("KmsKeyId", "log groups are encrypted with CloudWatch Logs' own keys"),
    "logs:*DataProtectionPolicy": ("DataProtectionPolicy", "no log data protection policy"),
    "logs:*IndexPolicy*": ("FieldIndexPolicies", "no log field index policy"),
    "logs:*ResourcePolicy*": ("ResourcePolicyDocument", "no log group resource policy"),
    "logs:CreateLogDelivery": ("DeliveryDestination", "no log delivery"),
    "logs:PutBearerTokenAuthentication": ("BearerTokenAuthenticationEnabled", "no bearer tokens"),
    "logs:PutLogGroupDeletionProtection": ("DeletionProtectionEnabled", "no deletion protection"),
    "firehose:*": (None, "no log group delivers to Firehose"),
    "s3:REST.PUT.OBJECT": (None, "no log group exports to S3"),
    "iam:*RolePermissionsBoundary": ("PermissionsBoundary", "no role has a permissions boundary"),
    "iam:AttachRolePolicy": ("ManagedPolicyArns", "every role's policies are inline, in the template"),
    "iam:DetachRolePolicy": ("ManagedPolicyArns", "every role's policies are inline, in the template"),
    "iam:CreateServiceLinkedRole": ("Replicas", "no global table"),
    "secretsmanager:*Replicat*": ("ReplicaRegions", "no secret is replicated"),
    "secretsmanager:GetSecretValue": (None, "the stack creates the secret's value, it never reads it"),
    "dynamodb:*Replica": ("Replicas", "no global table"),
    "dynamodb:*Import*": ("ImportSourceSpecification", "the table starts empty"),
    "dynamodb:*Item": ("ImportSourceSpecification", "the table starts empty"),
    "dynamodb:Query": ("ImportSourceSpecification", "the table starts empty"),
    "dynamodb:Scan": ("ImportSourceSpecification", "the table starts empty"),
    "logs:*LogStream*": ("ImportSourceSpecification", "the table starts empty"),
    "logs:PutLogEvents": ("ImportSourceSpecification", "the table starts empty"),
    "s3:GetObject*": ("ImportSourceSpecification", "the table starts empty"),
    "s3:ListBucket": ("ImportSourceSpecification", "the table starts empty"),
    "dynamodb:EnableKinesisStreamingDestination": ("KinesisStreamSpecification", "no Kinesis stream"),
    "dynamodb:DisableKinesisStreamingDestination": ("KinesisStreamSpecification", "no Kinesis stream"),
    "dynamodb:UpdateKinesisStreamingDestination": ("KinesisStreamSpecification", "no Kinesis stream"),
    "kinesis:*": ("KinesisStreamSpecification", "no Kinesis stream"),
    "dynamodb:PutResourcePolicy": ("ResourcePolicy", "no table resource policy"),
    "dynamodb:DeleteResourcePolicy": ("ResourcePolicy", "no table resource policy"),
    "kms:ListAliases": ("KMSMasterKeyId", "the table is encrypted with DynamoDB's own key"),
    "kms:RevokeGrant": ("KMSMasterKeyId", "the table is encrypted with DynamoDB's own key"),
    "s3tables:*": ("MetadataTableConfiguration", "no S3 metadata table"),
    "s3:*Metadata*": ("MetadataTableConfiguration", "no S3 metadata table"),
    "s3:*Replication*": ("ReplicationConfiguration", "no bucket replication"),
    "s3:DeleteObject": (None, "the bucket is retained, never emptied, when the stack goes"),
    "s3:PutObjectAcl": ("AccessControl", "ACLs are disabled on the bucket"),
    "kms:DisableKey": (None, "no key sets Enabled: every key stays enabled"),
    "kms:EnableKey": (None, "no key sets Enabled: every key stays enabled"),
    "kms:DisableKeyRotation": (None, "every key has rotation on, EnableKeyRotation: true"),
}


def _not_called(action: str) -> bool:
    return any(fnmatchcase(action.lower(), pattern.lower()) for pattern in NOT_CALLED)


# --- the cfn-lint data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cfn_lint_data(tools_env) -> Path:
    completed = subprocess.run(  # noqa: S603 - a fixed probe of the tools we installed
        [str(tools_env / "bin" / "python"), "-c", "import cfnlint.data; print(cfnlint.data.__path__[0])"],
        capture_output=True,
        text=True,
        env=sandboxed_environ(),
        check=True,
    )
    return Path(completed.stdout.strip())


@pytest.fixture(scope="module")
def schema(cfn_lint_data):
    providers = json.loads((cfn_lint_data / "schemas" / "providers" / "us-east-1.json").read_text())

    @functools.cache
    def _schema(resource_type: str) -> dict:
        path = cfn_lint_data / "schemas" / "resources" / f"{providers[resource_type]}.json"
        return json.loads(path.read_text(encoding="utf-8"))

    return _schema


@pytest.fixture(scope="module")
def authorization(cfn_lint_data) -> dict:
    """The Service Authorization Reference: service -> action (lower case) -> resource types."""
    return json.loads((cfn_lint_data / "AdditionalSpecs" / "Policies.json").read_text(encoding="utf-8"))


def resource_types_of(action: str, authorization: dict) -> list[str] | None:
    """The resource types ``action`` applies to ([]: "*" alone); None for a name that is no IAM
    action (a few handlers list API names, such as s3:DeleteBucketCors, whose calls IAM
    authorizes by another action that the same handler lists, s3:PutBucketCORS)."""
    service, name = action.split(":")
    known = authorization.get(service, {}).get("Actions", {}).get(name.lower())
    return None if known is None else known.get("Resources", [])


def handler_permissions(schema: dict) -> set[str]:
    handlers = schema.get("handlers", {})
    return {
        permission
        for handler in ("create", "read", "update", "delete")
        for permission in handlers.get(handler, {}).get("permissions", [])
    }


# --- the deployed templates and the roles ------------------------------------------------------


@pytest.fixture(scope="module")
def deployed_types(bake, tools_env) -> dict[str, set[str]]:
    """Every resource type a deploy of some variant creates, with the variants that create it."""
    found: dict[str, set[str]] = {}
    for answers in COMBINATIONS:
        for resource in translated(Path(bake(answers)), tools_env).values():
            found.setdefault(resource["Type"], set()).add(combination_id(answers))
    return found


@pytest.fixture(scope="module")
def translations(bake, tools_env) -> list[dict]:
    return [translated(Path(bake(answers)), tools_env) for answers in COMBINATIONS]


def resolve(
    node: object, values: dict[str, str], conditions: dict[str, bool], mappings: dict | None = None
) -> object:
    """Evaluate the intrinsic functions deploy-roles.yaml uses, for one set of parameter values."""

    def again(part: object) -> object:
        return resolve(part, values, conditions, mappings)

    if isinstance(node, list):
        return [again(item) for item in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Sub"}:
        text, variables = (node["Sub"], {}) if isinstance(node["Sub"], str) else node["Sub"]
        for name, value in (values | {name: again(value) for name, value in variables.items()}).items():
            text = text.replace("${" + name + "}", value)
        assert "${" not in text, text
        return text
    if set(node) == {"FindInMap"}:
        name, first, second = (again(part) for part in node["FindInMap"])
        return (mappings or {})[name][first][second]
    if set(node) == {"Ref"}:
        return values[node["Ref"]]
    if set(node) == {"If"}:
        name, then, otherwise = node["If"]
        return again(then if conditions[name] else otherwise)
    if set(node) == {"GetAtt"}:
        return f"<{node['GetAtt']}>"
    return {key: again(value) for key, value in node.items()}


def roles_template(project: Path) -> dict:
    return load_yaml((project / "deploy-roles.yaml").read_text(encoding="utf-8"))


def role_statements(project: Path, environment: str) -> list[dict]:
    """Every statement of the deployed role of ``environment``: its own policies and the stack's
    role policies, resolved as CloudFormation would for `make bootstrap ENV=<environment>`."""
    template = roles_template(project)
    samconfig = tomllib.loads((project / "samconfig.toml").read_text(encoding="utf-8"))
    values = {
        "AWS::Partition": "aws",
        "AWS::Region": samconfig[environment]["global"]["parameters"]["region"],
        "AWS::AccountId": ACCOUNT,
        "Environment": environment,
        "Repository": REPOSITORY,
        "RepositoryWithIds": REPOSITORY_WITH_IDS,
        "OidcProviderArn": "",
    }
    conditions = {"CreateOidcProvider": True, "Dev": environment == "dev"}
    resources = template["Resources"]
    documents = [policy["PolicyDocument"] for policy in resources["DeployRole"]["Properties"]["Policies"]]
    for resource in resources.values():
        applies = conditions.get(resource.get("Condition", ""), True)
        if resource["Type"] == "AWS::IAM::RolePolicy" and applies:
            assert resource["Properties"]["RoleName"] == {"Ref": "DeployRole"}
            documents.append(resource["Properties"]["PolicyDocument"])
    return [
        statement
        for document in documents
        for statement in resolve(document["Statement"], values, conditions, template.get("Mappings"))
    ]


def as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def condition_holds(condition: dict, context: dict[str, str]) -> bool:
    """IAM's evaluation of the operators deploy-roles.yaml uses: a key absent from the request
    fails the condition, except under an operator ending in IfExists, which it then passes
    ("IAM JSON policy elements: Condition operators", IAM User Guide)."""
    for operator, tests in condition.items():
        base = operator.removesuffix("IfExists")
        if base not in {"StringEquals", "StringLike", "ArnLike"}:
            raise AssertionError(f"the tests do not evaluate {operator}")
        for key, expected in tests.items():
            actual = context.get(key)
            if actual is None:
                if base == operator:
                    return False
                continue
            if base == "StringEquals" and actual not in as_list(expected):
                return False
            if base in {"StringLike", "ArnLike"} and not any(
                fnmatchcase(actual, pattern) for pattern in as_list(expected)
            ):
                return False
    return True


def allowed(statements: list[dict], action: str, resource: str, context: dict[str, str]) -> bool:
    return any(
        statement["Effect"] == "Allow"
        and any(fnmatchcase(action.lower(), granted.lower()) for granted in as_list(statement["Action"]))
        and any(fnmatchcase(resource, granted) for granted in as_list(statement["Resource"]))
        and condition_holds(statement.get("Condition", {}), context)
        for statement in statements
    )


def request(resource_type: str, action: str, slug: str, environment: str, authorization: dict):
    """The resource ARN and request context of ``action`` as a deploy of ``resource_type`` in the
    stack "<slug>-<environment>" makes it: names as CloudFormation generates them, the stack's
    tags (samconfig.toml) on what is created and tagged."""
    stack = f"{slug}-{environment}"
    region, service = "us-east-1", action.split(":")[0]
    function = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{stack}-Function-AbC123xYz"
    passed_to = "scheduler.amazonaws.com" if "Scheduler" in resource_type else "lambda.amazonaws.com"
    context = {
        "aws:RequestTag/project": slug,
        "aws:RequestTag/environment": environment,
        "aws:ResourceTag/project": slug,
        "aws:ResourceTag/environment": environment,
        "lambda:FunctionArn": function,
        "iam:PassedToService": passed_to,
        "s3:prefix": f"{stack}/",
    }
    if not resource_types_of(action, authorization):
        return "*", context
    group = f"{stack}-ScheduleGroup-AbC123xYz"
    samples = {
        "lambda": function,
        "iam": f"arn:aws:iam::{ACCOUNT}:role/{stack}-FunctionRole-AbC123xYz",
        "logs": f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{stack}-FunctionLogGroup-AbC123xYz:*",
        "sqs": f"arn:aws:sqs:{region}:{ACCOUNT}:{slug}-1a2b3c4d",
        "sns": f"arn:aws:sns:{region}:{ACCOUNT}:{stack}-AlarmTopic-AbC123xYz",
        "cloudwatch": f"arn:aws:cloudwatch:{region}:{ACCOUNT}:alarm:{stack}-FunctionErrorsAlarm-AbC123xYz",
        "dynamodb": f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{stack}-IdempotencyTable-AbC123xYz",
        "scheduler": f"arn:aws:scheduler:{region}:{ACCOUNT}:schedule/{group}/{stack}-FunctionSchedule-AbC123",
        "events": f"arn:aws:events:{region}:{ACCOUNT}:rule/{stack}-FunctionMatchingEvents-AbC123xYz",
        "s3": f"arn:aws:s3:::{stack}-bucket-abc123xyz",
        "kms": f"arn:aws:kms:{region}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "secretsmanager": f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{slug}/target-api-key-AbCdEf",
        "cloudformation": f"arn:aws:cloudformation:{region}:{ACCOUNT}:stack/{stack}/1a2b3c4d",
    }
    if action.startswith("lambda:") and "EventSourceMapping" in action:
        return f"arn:aws:lambda:{region}:{ACCOUNT}:event-source-mapping:1a2b3c4d", context
    if action.startswith("scheduler:") and "ScheduleGroup" in action:
        return f"arn:aws:scheduler:{region}:{ACCOUNT}:schedule-group/{group}", context
    if resource_type == "smoke" and service == "sqs":
        return f"arn:aws:sqs:{region}:{ACCOUNT}:{stack}-DeadLetterQueue-AbC123xYz", context
    if resource_type == "SAM CLI's bucket":
        managed = "aws-sam-cli-managed-default"
        return f"arn:aws:cloudformation:{region}:{ACCOUNT}:stack/{managed}/1a2b3c4d", context
    if resource_type == "SAM CLI" and service == "s3":
        bucket = "aws-sam-cli-managed-default-samclisourcebucket-abc123"
        return f"arn:aws:s3:::{bucket}/{stack}/0123456789abcdef.template", context
    if resource_type == "AWS::Lambda::Function" and service == "s3":
        # Lambda reads the package SAM CLI uploaded, with the deploying role's credentials.
        return f"arn:aws:s3:::aws-sam-cli-managed-default-samclisourcebucket-abc123/{stack}/0123abcd", context
    return samples[service], context


# --- tests --------------------------------------------------------------------------------------


def test_the_roles_stack_passes_cfn_lint_and_checkov(bake, tools_env, scan_env):
    project = bake({})
    make(project, "validate", f"TOOLS_VENV={tools_env}")
    scanned = make(project, "scan", f"SCAN_VENV={scan_env}").stdout
    assert "deploy-roles.yaml" in scanned
    assert "Failed checks: 0" in scanned


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_only_this_repositorys_environment_may_assume_its_role(bake, environment):
    """StringEquals on the audience and on the whole subject: no wildcard, so no other repository,
    branch, pull request or environment matches ("Configuring OpenID Connect in Amazon Web
    Services", GitHub Docs)."""
    role = roles_template(bake({}))["Resources"]["DeployRole"]["Properties"]
    (trust,) = resolve(
        role["AssumeRolePolicyDocument"]["Statement"],
        {
            "Repository": REPOSITORY,
            "RepositoryWithIds": REPOSITORY_WITH_IDS,
            "Environment": environment,
            "OidcProviderArn": "",
        },
        {"CreateOidcProvider": False},
    )
    assert trust["Effect"] == "Allow"
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert set(trust["Principal"]) == {"Federated"}
    assert trust["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": [
                f"repo:{REPOSITORY}:environment:{environment}",
                f"repo:{REPOSITORY_WITH_IDS}:environment:{environment}",
            ],
        }
    }


def test_the_provider_is_github_for_sts_alone(bake):
    provider = roles_template(bake({}))["Resources"]["GitHubOidcProvider"]
    assert provider["Condition"] == "CreateOidcProvider"
    assert provider["Properties"] == {
        "Url": "https://token.actions.githubusercontent.com",
        "ClientIdList": ["sts.amazonaws.com"],
    }


def test_the_deploy_workflow_uses_the_roles_environments(bake):
    """deploy.yml's jobs run in the GitHub environments the roles trust, by the same names."""
    workflow = load_yaml((bake({}) / ".github" / "workflows" / "deploy.yml").read_text(encoding="utf-8"))
    environments = {job.get("environment") for job in workflow["jobs"].values()} - {None}
    assert environments == set(ENVIRONMENTS)
    parameters = roles_template(bake({}))["Parameters"]
    assert parameters["Environment"]["AllowedValues"] == list(ENVIRONMENTS)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_call_a_deploy_makes_is_allowed(bake, schema, authorization, deployed_types, environment):
    """Each resource type's handler permissions (less NOT_CALLED), SAM CLI's own calls, and on
    dev the smoke test's, against the role as deployed, on the resource each call touches."""
    missing = set()
    for answers in COMBINATIONS:
        project = bake(answers)
        slug = project.name  # the project's directory is named after its slug
        statements = role_statements(project, environment)
        calls = [("SAM CLI", action) for action in SAM_DEPLOY_CALLS]
        calls.append(("SAM CLI's bucket", "cloudformation:DescribeStacks"))  # resolve_s3: its name
        calls += [("smoke", action) for action in SMOKE_CALLS if environment == "dev"]
        calls += [
            (kind, action)
            for kind, variants in deployed_types.items()
            if combination_id(answers) in variants
            for action in sorted(handler_permissions(schema(kind)))
            if not _not_called(action)
        ]
        for kind, action in calls:
            if resource_types_of(action, authorization) is None:
                continue
            resource, context = request(kind, action, slug, environment, authorization)
            if not allowed(statements, action, resource, context):
                missing.add((kind, action, resource))
    assert not missing, "\n".join(sorted({f"{kind} {action}" for kind, action, _ in missing}))


def test_what_is_not_called_is_absent_from_every_template(schema, deployed_types, translations):
    """Each NOT_CALLED entry is a handler permission of a deployed type (no stale entry), and the
    property that would need it appears in no translated template."""
    listed = {action for kind in deployed_types for action in handler_permissions(schema(kind))}
    text = json.dumps(translations)
    for pattern, (needed_by, reason) in NOT_CALLED.items():
        assert any(fnmatchcase(action.lower(), pattern.lower()) for action in listed), f"{pattern}: stale"
        assert len(reason.split()) >= 3, pattern
        if needed_by:
            assert f'"{needed_by}"' not in text, f"{pattern} is needed: a template sets {needed_by}"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_nothing_is_allowed_beyond_what_a_deploy_needs(
    bake, schema, authorization, deployed_types, environment
):
    """Every action the role allows is an IAM action a handler, SAM CLI or the smoke test calls."""
    handled = {action.lower() for kind in deployed_types for action in handler_permissions(schema(kind))}
    for statement in role_statements(bake({}), environment):
        for action in as_list(statement["Action"]):
            assert "*" not in action, f"{statement['Sid']}: a wildcard action, {action}"
            assert resource_types_of(action, authorization) is not None, f"{action} is no IAM action"
            handler_calls = action.lower() in handled and not _not_called(action)
            assert handler_calls or action in SAM_DEPLOY_CALLS + SMOKE_CALLS, f"{statement['Sid']}: {action}"


# The resource types whose names CloudFormation generates and the role scopes by name: the
# property that would name one, the call that creates it, and its ARN.
GENERATED_NAMES = {
    "AWS::Lambda::Function": (
        "FunctionName",
        "lambda:CreateFunction",
        "lambda:{region}:{account}:function:{name}",
    ),
    "AWS::IAM::Role": ("RoleName", "iam:CreateRole", "iam::{account}:role/{name}"),
    "AWS::Events::Rule": ("Name", "events:PutRule", "events:{region}:{account}:rule/{name}"),
    "AWS::Scheduler::ScheduleGroup": (
        "Name",
        "scheduler:CreateScheduleGroup",
        "scheduler:{region}:{account}:schedule-group/{name}",
    ),
    "AWS::Scheduler::Schedule": (
        "Name",
        "scheduler:CreateSchedule",
        "scheduler:{region}:{account}:schedule/{name}",
    ),
    "AWS::SQS::Queue": ("QueueName", "sqs:CreateQueue", "sqs:{region}:{account}:{name}"),
    "AWS::SNS::Topic": ("TopicName", "sns:CreateTopic", "sns:{region}:{account}:{name}"),
    "AWS::CloudWatch::Alarm": (
        "AlarmName",
        "cloudwatch:PutMetricAlarm",
        "cloudwatch:{region}:{account}:alarm:{name}",
    ),
    "AWS::DynamoDB::Table": ("TableName", "dynamodb:CreateTable", "dynamodb:{region}:{account}:table/{name}"),
    "AWS::Logs::LogGroup": (
        "LogGroupName",
        "logs:CreateLogGroup",
        "logs:{region}:{account}:log-group:{name}:*",
    ),
    "AWS::S3::Bucket": ("BucketName", "s3:CreateBucket", "s3:::{name}"),
}
# Name limits the types' schemas give by a pattern or not at all.
NAME_LIMITS = {
    "AWS::Lambda::Function": 64,  # the schema's pattern: [a-zA-Z0-9_-]{1,64}
    "AWS::SQS::Queue": 80,  # "Amazon SQS queue quotas", SQS Developer Guide
}
# project_slug's longest (hooks/pre_gen_project.py, PROJECT_SLUG_MAX) and a short one.
LONGEST_NAME = "Order Fulfillment Notifier For Warehouse"
# Types the role scopes by "<slug>-*", without the environment (deploy-roles.yaml says why).
ENVIRONMENT_BLIND = {"AWS::SQS::Queue", "AWS::S3::Bucket"}


def generated_arns(resources: dict[str, dict], stack: str, schema) -> dict[str, tuple[str, str]]:
    """The ARN of each resource whose name CloudFormation generates, named as AWS's name generator
    for resource handlers names it in the stack ``stack``, by logical ID, with its type."""
    names: dict[str, str] = {}
    arns: dict[str, tuple[str, str]] = {}
    # Schedule groups first: a schedule's ARN holds its group's name.
    for logical_id, resource in sorted(
        resources.items(), key=lambda item: item[1]["Type"] != "AWS::Scheduler::ScheduleGroup"
    ):
        kind = resource["Type"]
        if kind not in GENERATED_NAMES or GENERATED_NAMES[kind][0] in resource.get("Properties", {}):
            continue  # not generated, or named by the template (the source queue: template.yaml says why)
        name_property, _, arn = GENERATED_NAMES[kind]
        limit = NAME_LIMITS.get(kind) or schema(kind)["properties"][name_property]["maxLength"]
        name = generate_resource_identifier(stack, logical_id, f"token-{logical_id}", limit)
        if kind == "AWS::S3::Bucket":
            name = name.lower()  # bucket names are lower case
        if kind == "AWS::Scheduler::Schedule":
            group = resource["Properties"].get("GroupName", "default")
            name = f"{names[group['Ref']] if isinstance(group, dict) else group}/{name}"
        names[logical_id] = name
        arns[logical_id] = (kind, "arn:aws:" + arn.format(region="us-east-1", account=ACCOUNT, name=name))
    return arns


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("project_name", ["Relay", LONGEST_NAME])
def test_every_generated_name_is_within_the_roles_reach(bake, tools_env, schema, environment, project_name):
    """CloudFormation cuts a generated name "<stack>-<logical id>-<random>" to its type's limit
    (the type's schema, maxLength of the name). The documentation does not say how; AWS's name
    generator for resource handlers does it here, for every resource of every variant: the
    role's name-scoped statements cover each name, even the longest project_slug's, and, where
    the stack's name stays whole, no name of the other environment's stack or of a project whose
    slug extends this one."""
    context = {"iam:PassedToService": "lambda.amazonaws.com"}
    other = "prod" if environment == "dev" else "dev"
    covered: set[str] = set()
    for answers in COMBINATIONS:
        project = bake(answers | {"project_name": project_name})
        if project_name == LONGEST_NAME:
            assert len(project.name) == hook.PROJECT_SLUG_MAX
        statements = role_statements(project, environment)
        resources = translated(project, tools_env)
        own = generated_arns(resources, f"{project.name}-{environment}", schema)
        neighbours = {
            f"{project.name}-{other}": generated_arns(resources, f"{project.name}-{other}", schema),
            f"{project.name}x-{environment}": generated_arns(
                resources, f"{project.name}x-{environment}", schema
            ),
        }
        for logical_id, (kind, arn) in own.items():
            covered.add(kind)
            action = GENERATED_NAMES[kind][1]
            actions = [action, "iam:PassRole"] if kind == "AWS::IAM::Role" else [action]
            for called in actions:
                assert allowed(statements, called, arn, context), f"{combination_id(answers)}: {called} {arn}"
                if project_name == LONGEST_NAME:
                    continue  # a cut name is scoped by 25 characters of the stack (deploy-roles.yaml)
                for stack, arns in neighbours.items():
                    if kind in ENVIRONMENT_BLIND and stack.endswith(f"-{other}"):
                        continue
                    assert not allowed(statements, called, arns[logical_id][1], context), (stack, called)
    assert covered == set(GENERATED_NAMES)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_star_only_where_aws_authorizes_on_star_alone(bake, authorization, environment):
    """A statement on "*" holds only actions that take no resource ARN (Service Authorization
    Reference), and each is limited by a condition unless it only reads."""
    for statement in role_statements(bake({}), environment):
        if "*" not in as_list(statement["Resource"]):
            continue
        for action in as_list(statement["Action"]):
            assert not resource_types_of(action, authorization), f"{action} takes a resource ARN"
            reads = action.split(":")[1].startswith(("Describe", "List", "Get"))
            assert reads or statement.get("Condition"), f"{action} on * without a condition"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_tag_conditions_name_tags_the_resources_carry(bake, schema, deployed_types, environment):
    """A condition on a tag holds only if CloudFormation puts the tag there: the stack's tags
    (samconfig.toml) on a type that takes them at creation, and the type's own tagging
    permissions are allowed (the resource schemas' "tagging")."""
    project = bake({})
    samconfig = tomllib.loads((project / "samconfig.toml").read_text(encoding="utf-8"))
    tags = samconfig[environment]["deploy"]["parameters"]["tags"]
    stack_tags = dict(pair.split("=", 1) for pair in tags.split())
    for statement in role_statements(project, environment):
        for keys in statement.get("Condition", {}).values():
            for key in keys:
                if key.startswith(("aws:RequestTag/", "aws:ResourceTag/")):
                    assert key.split("/", 1)[1] in stack_tags, f"{statement['Sid']}: {key} is no stack tag"
    tagged_by_condition = {"kms": "AWS::KMS::Key", "secretsmanager": "AWS::SecretsManager::Secret"}
    for kind in tagged_by_condition.values():
        tagging = schema(kind)["tagging"]
        assert tagging["taggable"], kind
        assert tagging["tagOnCreate"], kind
        assert kind in deployed_types


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize(
    ("service", "resource_type"),
    [("kms", "AWS::KMS::Key"), ("secretsmanager", "AWS::SecretsManager::Secret")],
)
def test_a_key_or_secret_of_another_project_or_environment_stays_out_of_reach(
    bake, authorization, environment, service, resource_type
):
    """Keys and secrets are reached through the stack's tags alone: a role may tag a resource
    with its own stack's tags as it creates it, but neither retag one another project or
    environment carries (and then manage it) nor change who may use it."""
    project = bake({})
    slug = project.name
    statements = role_statements(project, environment)
    other = "prod" if environment == "dev" else "dev"
    resource, own = request(resource_type, f"{service}:TagResource", slug, environment, authorization)
    creating = {key: value for key, value in own.items() if not key.startswith("aws:ResourceTag/")}
    assert allowed(statements, f"{service}:TagResource", resource, creating)
    for carried in ({"environment": other}, {"project": f"{slug}x"}, {"project": "payments"}):
        theirs = own | {f"aws:ResourceTag/{key}": value for key, value in carried.items()}
        for action in (
            ["kms:TagResource", "kms:UntagResource", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"]
            if service == "kms"
            else ["secretsmanager:TagResource", "secretsmanager:DeleteSecret", "secretsmanager:UpdateSecret"]
        ):
            assert not allowed(statements, action, resource, theirs), (action, carried)


def test_bootstrap_creates_the_roles_stack(bake, tools_env, tmp_path):
    """`make bootstrap` deploys deploy-roles.yaml for ENV with this repository's name (from the
    origin remote) and prints the role's ARN; here, what it would run."""
    project = tmp_path / bake({}).name  # a copy: the shared bake stays without git
    shutil.copytree(bake({}), project)
    for command in (["init", "-q"], ["remote", "add", "origin", f"git@github.com:{REPOSITORY}.git"]):
        subprocess.run(["git", *command], cwd=project, check=True)  # noqa: S603, S607 - git on PATH
    with_ids = f"REPOSITORY_WITH_IDS={REPOSITORY_WITH_IDS}"  # what gh api would answer
    dry_run = make(project, "-n", "bootstrap", "ENV=prod", with_ids, f"TOOLS_VENV={tools_env}").stdout
    assert "--template-file deploy-roles.yaml" in dry_run
    assert f"--stack-name deploy-role-{project.name}-prod" in dry_run
    assert f"RepositoryWithIds={REPOSITORY_WITH_IDS} " in dry_run
    assert f"Repository={REPOSITORY} " in dry_run
    assert "Environment=prod" in dry_run
    assert "--capabilities CAPABILITY_IAM " in dry_run
    assert "--resolve-s3" in dry_run


def test_bootstrap_without_the_repositorys_ids_names_the_fix(bake, tools_env):
    """A repository made since 2026-06-18 gets tokens naming its IDs: a role trusting its names
    alone would refuse every deploy, so `make bootstrap` stops before creating it."""
    project = bake({})
    arguments = [f"REPOSITORY={REPOSITORY}", "REPOSITORY_WITH_IDS=", f"TOOLS_VENV={tools_env}"]
    stopped = run(sandboxed_environ(), project, "make", "bootstrap", *arguments, check=False)
    assert stopped.returncode != 0
    assert f"no IDs for the GitHub repository '{REPOSITORY}'" in stopped.stderr
    assert "gh auth login" in stopped.stderr
    assert "REPOSITORY_WITH_IDS=<owner>@<owner id>/<name>@<repository id>" in stopped.stderr
    assert "sam deploy" not in stopped.stdout


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        (REPOSITORY_WITH_IDS, True),
        ("a@1/b.c_d-e@12345678901234567890", True),
        (REPOSITORY, False),  # names alone: that is the Repository parameter
        ("octo-org@9919/octo-repo", False),
        ("octo-org/octo-repo@1296269", False),
        ("octo-org@99x/octo-repo@1", False),
        ("octo-org@9919/octo-repo@1296269:environment:prod", False),
        ("octo-org@9919/octo-repo@1296269/x@1", False),
        ("-octo@1/repo@2", False),
        ("octo@1/re po@2", False),
        ("octo@1/répo@2", False),
        ("octo@1/repo@2\n", False),
    ],
)
def test_the_ids_parameter_takes_one_repository_with_both_ids(bake, value, accepted):
    parameter = roles_template(bake({}))["Parameters"]["RepositoryWithIds"]
    assert (re.fullmatch(parameter["AllowedPattern"], value) is not None) is accepted
