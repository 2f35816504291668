"""The pre-generation hook: every bad answer is refused with a message that names the variable,
shows the value and says what to do; good answers pass; nothing is left behind on failure; no
answer, however many quotes and backslashes it holds, can break the hook's own source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from cookiecutter.exceptions import FailedHookException
from cookiecutter.generate import generate_context
from cookiecutter.main import cookiecutter
from cookiecutter.prompt import prompt_for_config
from cookiecutter.utils import create_env_with_context

from tests.environments import REPO_ROOT

HOOK = REPO_ROOT / "hooks" / "pre_gen_project.py"
COOKIECUTTER_JSON = json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
VARIABLES = [key for key in COOKIECUTTER_JSON if not key.startswith("_")]


def load_hook(source: str, name: str = "pre_gen_project") -> ModuleType:
    """Import hook source as a module (not as __main__, so it validates nothing by itself)."""
    module = ModuleType(name)
    module.__file__ = str(HOOK)
    exec(compile(source, str(HOOK), "exec"), module.__dict__)  # noqa: S102 - our own hook's source
    return module


# The hook as it sits in the repository: its Jinja lives only in string literals.
hook = load_hook(HOOK.read_text(encoding="utf-8"))


def problems(defaults: dict[str, str], **overrides: str) -> list[str]:
    return hook.validate({**defaults, **overrides})


# --- The hook agrees with cookiecutter.json ---------------------------------------------------


def test_every_variable_is_rendered_into_the_hook_in_prompt_order():
    assert list(hook.RENDERED_ANSWERS) == VARIABLES
    for name, text in hook.RENDERED_ANSWERS.items():
        assert text == " {{ cookiecutter." + name + " | tojson }} "


def test_every_variable_but_env_vars_has_a_check():
    assert set(hook.CHECKS) == set(VARIABLES) - {"env_vars"}


def test_choices_are_those_cookiecutter_offers():
    offered = {
        name: tuple(COOKIECUTTER_JSON[name])
        for name in VARIABLES
        if isinstance(COOKIECUTTER_JSON[name], list)
    }
    assert offered == hook.CHOICES


# --- Bad answers --------------------------------------------------------------------------------

# (overrides, variable named in the problem, value shown, a fragment of the message)
BAD = [
    ({"memory_size": "64"}, "memory_size", "64", "from 128 to 10240 MB"),
    ({"memory_size": "10241"}, "memory_size", "10241", "from 128 to 10240 MB"),
    ({"memory_size": "abc"}, "memory_size", "abc", "whole number of MB, digits only"),
    ({"memory_size": "256MB"}, "memory_size", "256MB", "whole number of MB, digits only"),
    ({"memory_size": "1e3"}, "memory_size", "1e3", "whole number"),
    ({"memory_size": "٣٠٠"}, "memory_size", "٣٠٠", "whole number"),  # digits, but not ASCII
    ({"timeout": "0"}, "timeout", "0", "from 1 to 900 seconds"),
    ({"timeout": "901"}, "timeout", "901", "from 1 to 900 seconds"),
    ({"timeout": "-5"}, "timeout", "-5", "whole number of seconds"),
    ({"timeout": "1.5"}, "timeout", "1.5", "whole number of seconds"),
    ({"timeout": " 30"}, "timeout", " 30", "whole number of seconds"),
    ({"batch_size": "10001"}, "batch_size", "10001", "from 1 to 10000 records"),
    ({"max_receive_count": "0"}, "max_receive_count", "0", "from 1 to 1000"),
    ({"secret_ttl_seconds": "86401"}, "secret_ttl_seconds", "86401", "from 1 to 86400 seconds"),
    ({"env_vars": "1BAD=x"}, "env_vars", "1BAD=x", "start with a letter"),
    ({"env_vars": "lower=x"}, "env_vars", "lower=x", "write it as 'LOWER'"),
    ({"env_vars": "A=x"}, "env_vars", "A=x", "at least 2 characters"),
    ({"env_vars": "MY-NAME=x"}, "env_vars", "MY-NAME=x", "upper-case letters, digits and '_'"),
    ({"env_vars": "AWS_REGION=x"}, "env_vars", "AWS_REGION=x", "reserved by Lambda"),
    ({"env_vars": "LAMBDA_TASK_ROOT=x"}, "env_vars", "LAMBDA_TASK_ROOT=x", "reserved by Lambda"),
    ({"env_vars": "TZ=UTC"}, "env_vars", "TZ=UTC", "reserved by Lambda"),
    ({"env_vars": "AWS_PROFILE=x"}, "env_vars", "AWS_PROFILE=x", "belong to AWS"),
    ({"env_vars": "TARGET_URL=x"}, "env_vars", "TARGET_URL=x", "set by the template"),
    ({"env_vars": "AWS_ENDPOINT_URL=x"}, "env_vars", "AWS_ENDPOINT_URL=x", "set by the template"),
    ({"env_vars": "PYTHONPATH=/x"}, "env_vars", "PYTHONPATH=/x", "how the runtime or Python behaves"),
    ({"env_vars": "DB_PASSWORD=hunter2"}, "env_vars", "DB_PASSWORD=***", "keep it in Secrets Manager"),
    ({"env_vars": "GITHUB_TOKEN=ghp_x"}, "env_vars", "GITHUB_TOKEN=***", "keep it in Secrets Manager"),
    ({"env_vars": "CLASS=x"}, "env_vars", "CLASS=x", "settings.class, a Python keyword"),
    ({"env_vars": "FLAG=1,FLAG=2"}, "env_vars", "FLAG", "given 2 times"),
    # A piece without "=" may be the rest of a password that held a comma: named, not shown.
    ({"env_vars": "NOEQUALS"}, "env_vars", "piece 1 (not shown)", "is not NAME=value"),
    ({"env_vars": "NOTE=a,b"}, "env_vars", "piece 2 (not shown)", "no value can contain one"),
    ({"env_vars": "NOTE=a\tb"}, "env_vars", "NOTE=a\tb", "the value contains '\\t'"),
    ({"env_vars": "BIG=" + "x" * 4000}, "env_vars", "BIG", "Lambda allows 4 KB"),
    ({"package_name": "class"}, "package_name", "class", "Python keyword"),
    ({"package_name": "match"}, "package_name", "match", "Python keyword"),
    ({"package_name": "json"}, "package_name", "json", "standard-library module"),
    ({"package_name": "boto3"}, "package_name", "boto3", "import name of a dependency"),
    ({"package_name": "tests"}, "package_name", "tests", "folder of the generated project"),
    ({"package_name": "1abc"}, "package_name", "1abc", "e.g. package_name=abc"),
    ({"package_name": "my-pkg"}, "package_name", "my-pkg", "e.g. package_name=my_pkg"),
    ({"package_name": "Relay"}, "package_name", "Relay", "lowercase ASCII letters"),
    ({"project_slug": "My Stack"}, "project_slug", "My Stack", "e.g. 'my-stack'"),
    ({"project_slug": "-x"}, "project_slug", "-x", "start with a letter"),
    ({"project_slug": "x-"}, "project_slug", "x-", "not end with a hyphen"),
    ({"project_slug": "a--b"}, "project_slug", "a--b", "single hyphens"),
    ({"project_slug": "relay" * 14}, "project_slug", "relay" * 14, "is 70 characters, at most 40"),
    ({"project_slug": ""}, "project_slug", "", "pass project_slug="),
    ({"project_name": ""}, "project_name", "", "must not be empty"),
    ({"project_name": "x" * 101}, "project_name", "x" * 101, "at most 100"),
    ({"project_name": "Two\nLines"}, "project_name", "Two\nLines", "contains '\\n'"),
    ({"secret_name": "aws/x"}, "secret_name", "aws/x", "reserved for secrets AWS services create"),
    ({"secret_name": "a b"}, "secret_name", "a b", "contains ' '"),
    ({"secret_name": "name-abcdef"}, "secret_name", "name-abcdef", "six characters"),
    ({"secret_name": "s" * 513}, "secret_name", "s" * 513, "allows at most 512"),
    ({"secret_name": "  "}, "secret_name", "  ", "leave it empty for no secret"),
    ({"secret_name": "db-secret"}, "secret_name", "db-secret", "six characters"),
    ({"cold_start": "warm"}, "cold_start", "warm", "choose one of none, snapstart, provisioned"),
    (
        {"cold_start": "snapstart", "aws_region": "us-gov-west-1"},
        "cold_start",
        "snapstart",
        "not offer SnapStart in us-gov-west-1",
    ),
    ({"provisioned_concurrency": "0"}, "provisioned_concurrency", "0", "from 1 to 900 containers"),
    ({"provisioned_concurrency": "901"}, "provisioned_concurrency", "901", "keeps 100 of an account's 1000"),
    ({"provisioned_concurrency": ""}, "provisioned_concurrency", "", "whole number of containers"),
    ({"reserved_concurrency": "0"}, "reserved_concurrency", "0", "from 1 to 900 invocations"),
    ({"reserved_concurrency": "901"}, "reserved_concurrency", "901", "keeps 100 of an account's 1000"),
    ({"reserved_concurrency": "1000"}, "reserved_concurrency", "1000", "a deploy asking for more fails"),
    ({"reserved_concurrency": "ten"}, "reserved_concurrency", "ten", "whole number of invocations"),
    ({"sqs_maximum_concurrency": "1"}, "sqs_maximum_concurrency", "1", "from 2 to 1000 invocations"),
    ({"sqs_maximum_concurrency": "1001"}, "sqs_maximum_concurrency", "1001", "what an SQS trigger accepts"),
    (
        {"reserved_concurrency": "5", "sqs_maximum_concurrency": "10"},
        "sqs_maximum_concurrency",
        "10",
        "more than reserved_concurrency (5)",
    ),
    (
        {"cold_start": "provisioned", "provisioned_concurrency": "6", "reserved_concurrency": "5"},
        "provisioned_concurrency",
        "6",
        "lower it or raise reserved_concurrency",
    ),
    (
        {"secret_name": "arn:aws:secretsmanager:us-east-1:123456789012:secret:key-AbCdEf"},
        "secret_name",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:key-AbCdEf",
        "ExistingSecretArn",
    ),
    ({"author_email": "nobody"}, "author_email", "nobody", "name@example.com"),
    ({"author_email": "a@b"}, "author_email", "a@b", "name@example.com"),
    ({"author_email": "a@@example.com"}, "author_email", "a@@example.com", "name@example.com"),
    ({"author_email": "a..b@example.com"}, "author_email", "a..b@example.com", "name@example.com"),
    ({"author_email": ""}, "author_email", "", "name@example.com"),
    ({"alarm_email": "ops@"}, "alarm_email", "ops@", "name@example.com"),
    (
        {"alarm_email": "ops@example.com, x@example.com"},
        "alarm_email",
        "ops@example.com, x@example.com",
        "e-mail",
    ),
    ({"author_name": ""}, "author_name", "", "must not be empty"),
    ({"author_name": "Doe, Jane"}, "author_name", "Doe, Jane", "PEP 621"),
    ({"description": "d" * 257}, "description", "d" * 257, "at most 256"),
    ({"description": "one\nline"}, "description", "one\nline", "contains '\\n'"),
    ({"description": "tab\there"}, "description", "tab\there", "contains '\\t'"),
    ({"description": "nul\x00"}, "description", "nul\x00", "contains '\\x00'"),
    ({"description": "abc\u2028def"}, "description", "abc\u2028def", "U+2028"),
    ({"description": "safe\u202eexe.txt"}, "description", "safe\u202eexe.txt", "U+202E"),
    ({"description": "half \ud83d"}, "description", "half \ud83d", "U+D83D"),
    ({"description": "{{ 7*7 }}"}, "description", "{{ 7*7 }}", "template syntax"),
    ({"author_name": "{% if x %}"}, "author_name", "{% if x %}", "template syntax"),
    ({"python_version": "3.11"}, "python_version", "3.11", "deprecated"),
    ({"architecture": "arm"}, "architecture", "arm", "one of arm64, x86_64"),
    ({"trigger": "http"}, "trigger", "http", "one of sqs, schedule, eventbridge, s3, sns, invoke"),
    ({"schedule_expression": "every 5 minutes"}, "schedule_expression", "every 5 minutes", "not a rate()"),
    ({"schedule_expression": "rate(1 hours)"}, "schedule_expression", "rate(1 hours)", "write rate(1 hour)"),
    (
        {"schedule_expression": "rate(5 minute)"},
        "schedule_expression",
        "rate(5 minute)",
        "write rate(5 minutes)",
    ),
    ({"schedule_expression": "rate(0 minutes)"}, "schedule_expression", "rate(0 minutes)", "at least 1"),
    ({"schedule_expression": "rate(5 seconds)"}, "schedule_expression", "rate(5 seconds)", "not a rate()"),
    ({"schedule_expression": "cron(0 8 * * *)"}, "schedule_expression", "cron(0 8 * * *)", "this has 5"),
    (
        {"schedule_expression": "cron(0 8 * * MON *)"},
        "schedule_expression",
        "cron(0 8 * * MON *)",
        "e.g. cron(0 8 ? * MON *)",
    ),
    ({"schedule_expression": "cron(0 8 ? * ? *)"}, "schedule_expression", "cron(0 8 ? * ? *)", "exactly one"),
    (
        {"schedule_expression": "cron(60 8 * * ? *)"},
        "schedule_expression",
        "cron(60 8 * * ? *)",
        "values 0-59",
    ),
    (
        {"schedule_expression": "cron(0 8 * 13 ? *)"},
        "schedule_expression",
        "cron(0 8 * 13 ? *)",
        "or JAN-DEC",
    ),
    (
        {"schedule_expression": "cron(0 8 * * ? 1969)"},
        "schedule_expression",
        "cron(0 8 * * ? 1969)",
        "1970-2199",
    ),
    (
        {"schedule_expression": "cron(0 8 15L * ? *)"},
        "schedule_expression",
        "cron(0 8 15L * ? *)",
        "values 1-31",
    ),
    ({"schedule_expression": "cron(*/0 8 * * ? *)"}, "schedule_expression", "cron(*/0 8 * * ? *)", "a step"),
    (
        {"schedule_expression": "at(2030-02-30T09:00:00)"},
        "schedule_expression",
        "at(2030-02-30T09:00:00)",
        "not a real date",
    ),
    ({"schedule_expression": "at(2030-01-01)"}, "schedule_expression", "at(2030-01-01)", "not a rate()"),
    (
        {"schedule_expression": "rate(5 minutes)" + " " * 250},
        "schedule_expression",
        "rate(5 minutes)" + " " * 250,
        "allows 256",
    ),
    ({"event_pattern": "{source: [x]}"}, "event_pattern", "{source: [x]}", "is not JSON"),
    ({"event_pattern": "[]"}, "event_pattern", "[]", "must be a JSON object"),
    ({"event_pattern": "{}"}, "event_pattern", "{}", "must be a JSON object with at least one field"),
    ({"event_pattern": '{"source": "a"}'}, "event_pattern", '{"source": "a"}', 'write ["a"]'),
    ({"event_pattern": '{"source": []}'}, "event_pattern", '{"source": []}', "matches no event"),
    (
        {"event_pattern": '{"detail": {"n": 1}}'},
        "event_pattern",
        '{"detail": {"n": 1}}',
        "'detail.n' must hold",
    ),
    ({"event_pattern": '{"source": ["a\\u2028"]}'}, "event_pattern", '{"source": ["a\\u2028"]}', "U+2028"),
    (
        {"event_pattern": '{"source": ["' + "a" * 4100 + '"]}'},
        "event_pattern",
        '{"source": ["' + "a" * 4100 + '"]}',
        "allows 4096",
    ),
    ({"s3_prefix": "/incoming/"}, "s3_prefix", "/incoming/", "write 'incoming/'"),
    ({"s3_prefix": "k" * 1025}, "s3_prefix", "k" * 1025, "longer than any S3 object key"),
    ({"s3_suffix": ".json\n"}, "s3_suffix", ".json\n", "contains '\\n'"),
    ({"tracing": "yes"}, "tracing", "yes", "one of off, on"),
    ({"log_retention_days": "2"}, "log_retention_days", "2", "choose one of 30, 1, 3"),
    ({"aws_region": "US-EAST-1"}, "aws_region", "US-EAST-1", "us-east-1"),
    ({"aws_region": 'us-east-1" ; x'}, "aws_region", 'us-east-1" ; x', "not an AWS Region"),
]


def bad_id(case: tuple[dict[str, str], str, str, str]) -> str:
    overrides, variable, _, _ = case
    value = overrides[variable]
    shown = value if len(value) <= 20 else f"{value[:12]}...x{len(value)}"
    return f"{variable}:{shown!r}"


@pytest.mark.parametrize("case", BAD, ids=bad_id)
def test_a_bad_answer_is_named_shown_and_explained(defaults, case):
    overrides, variable, value, fragment = case
    expected_start = str(hook.Problem(variable, value, ""))  # "variable: 'value': "
    lines = [line for line in problems(defaults, **overrides) if line.startswith(expected_start)]
    assert len(lines) == 1, problems(defaults, **overrides)
    (line,) = lines
    assert fragment in line
    wrong, _, what_to_do = line.removeprefix(expected_start).partition("; ")
    assert wrong, line
    assert what_to_do, f"no advice in {line!r}"
    assert "\n" not in line


def test_the_line_format(defaults):
    assert problems(defaults, memory_size="64") == [
        "memory_size: '64': must be from 128 to 10240 MB (Lambda's memory range); e.g. 256"
    ]


def test_a_long_value_is_cut_short_in_the_message(defaults):
    (line,) = problems(defaults, secret_name="s" * 513)
    assert line.startswith(
        "secret_name: 'ssssssssssssssssssssssssssssssssssssssssssssssssss'... (513 characters): "
    )


def test_every_problem_is_listed_at_once_in_prompt_order(defaults):
    found = problems(
        defaults,
        package_name="class",
        memory_size="64",
        timeout="0",
        env_vars="1BAD=x,lower=y,GOOD=z",
        alarm_email="nope",
    )
    assert [line.split(":", 2)[:2] for line in found] == [
        ["package_name", " 'class'"],
        ["env_vars", " '1BAD=x'"],
        ["env_vars", " 'lower=y'"],
        ["memory_size", " '64'"],
        ["timeout", " '0'"],
        ["alarm_email", " 'nope'"],
    ]


def test_a_credential_is_never_echoed(defaults):
    found = problems(defaults, env_vars="DB_PASSWORD=hunter2,API_TOKEN=a\tb,DB_PASSWORD=hunter2")
    assert found
    assert not [line for line in found if "hunter2" in line or "a\\tb" in line]


@pytest.mark.parametrize(
    "env_vars",
    [
        "api_key=hunter2",  # refused for its case, and a credential's name in any case
        "STRIPE_KEY=hunter2",
        "DB_PASS=hunter2",
        "AUTH_HEADER=Bearer hunter2",
        "APP_NOTE=AKIAHUNTER2HUNTER2XX",  # an AWS access key id, whatever the name
        "APP_HOOK=https://relay:hunter2@example.com/in",
        "DB_PASSWORD:hunter2",  # no "=": the whole piece is kept out
        "DB_URL=postgres://relay:pa,hunter2@db.example.com/x",  # a comma splits the password
        "DB_PASSWORD=hunter2{{x",  # template syntax: the answer shown as the rerun command shows it
    ],
)
def test_a_credential_is_refused_and_never_shown_by_its_name_or_its_shape(defaults, env_vars):
    found = problems(defaults, env_vars=env_vars)
    assert {line.split(":", 1)[0] for line in found} == {"env_vars"}
    answers = {**defaults, "env_vars": env_vars}
    command = hook.rerun_command(answers, ["env_vars"], {})
    assert "hunter2" not in " ".join(found) + command
    assert "HUNTER2" not in " ".join(found) + command


def test_the_env_var_budget_counts_the_secret_name(defaults):
    # Just under the budget with a short secret name, over it with the longest one allowed.
    budget = hook.ENV_BYTES_MAX - hook.OWN_ENV_BYTES - len(defaults["secret_name"])
    env_vars = "BIG=" + "x" * (budget - len("BIG"))
    assert problems(defaults, env_vars=env_vars) == []
    assert problems(defaults, env_vars=env_vars, secret_name="s" * 512)


# --- Good answers -------------------------------------------------------------------------------

GOOD = [
    {},
    {
        "memory_size": "128",
        "timeout": "1",
        "batch_size": "1",
        "max_receive_count": "1",
        "secret_ttl_seconds": "1",
    },
    {
        "memory_size": "10240",
        "timeout": "900",
        "batch_size": "10000",
        "max_receive_count": "1000",
        "secret_ttl_seconds": "86400",
    },
    {"env_vars": "API_REGION=eu-west-1,FEATURE_FLAG=on"},
    {"env_vars": " API_REGION = eu-west-1 , EMPTY= ,"},  # spaces and a trailing comma, as the files split it
    {"env_vars": "QUERY=a=b&c=d"},  # only the first "=" separates
    {"env_vars": "DB_SECRET_NAME=prod/db,TOKEN_URL=https://auth.example.com/token,KMS_KEY_ARN=arn:x"},
    {"env_vars": "MATCH=x,TYPE=y"},  # soft keywords are fine as attribute names
    {"project_slug": "a" * 40, "package_name": "a" * 40},
    {"project_slug": "relay2", "package_name": "relay2"},
    {"secret_name": "s" * 512},
    {"secret_name": "team/relay+key=v1.0@prod_x-key"},
    {"secret_name": "my-key-abcde"},  # five characters after the hyphen: not the ARN suffix's shape
    {"description": ""},
    {"description": "🚀" * 256},
    {"description": 'It\'s "quoted": #not-a-comment, {braces} [list] `code` back\\slash ü ✓ <tag> & % @'},
    {"project_name": 'Pay "Q" Relay: #1 {x} [y] O\'Neil & Zoë — 日本'},
    {"author_name": 'Renée O\'Brien "Bob" \\ 🚀 日本\u00a0Team'},
    {"author_email": "o'brien+relay@mail.example.co.uk", "alarm_email": "ops@example.com"},
    {"aws_region": "us-gov-west-1"},
    {"aws_region": "ap-southeast-5"},
    *({"python_version": version} for version in ("3.14", "3.13", "3.12")),
    {"architecture": "x86_64", "tracing": "on", "log_retention_days": "3653"},
    *({"cold_start": "snapstart", "python_version": version} for version in ("3.14", "3.13", "3.12")),
    {"cold_start": "provisioned", "provisioned_concurrency": "900", "reserved_concurrency": "900"},
    {"cold_start": "provisioned", "provisioned_concurrency": "5", "reserved_concurrency": "5"},
    # Not provisioned: the count is checked on its own, and the reserved cap does not apply.
    {"provisioned_concurrency": "50", "reserved_concurrency": "5"},
    {"reserved_concurrency": "1", "sqs_maximum_concurrency": ""},
    {"reserved_concurrency": "10", "sqs_maximum_concurrency": "10"},
    {"sqs_maximum_concurrency": "2"},  # without reserved concurrency: a cap that reserves nothing
    # Another trigger ignores an SQS answer (an interactive run does not ask it), even above the cap.
    {"trigger": "s3", "sqs_maximum_concurrency": "10", "reserved_concurrency": "5"},
    *({"trigger": trigger} for trigger in ("schedule", "eventbridge", "s3", "sns", "invoke")),
    {"schedule_expression": "rate(1 minute)"},
    {"schedule_expression": "rate(12 hours)"},
    {"schedule_expression": "cron(0 8 * * ? *)"},
    {"schedule_expression": "cron(0/15 8-17 ? * MON-FRI *)"},
    {"schedule_expression": "cron(0 12 L * ? 2030)"},
    {"schedule_expression": "cron(30 9 ? JAN,JUL 2#1 *)"},
    {"schedule_expression": "cron(0 8 15W * ? *)"},
    {"schedule_expression": "cron(0 8 LW * ? *)"},
    {"schedule_expression": "cron(0 10 ? * 6L *)"},
    {"schedule_expression": "at(2030-01-01T09:00:00)"},
    {"event_pattern": '{"source": ["aws.s3"], "detail": {"object": {"key": [{"prefix": "in/"}]}}}'},
    {
        "event_pattern": '{"detail": {"amount": [{"numeric": [">", 100]}],'
        ' "note": ["Zoë 日本 🚀 \\"q\\" {x}"]}}'
    },
    {"s3_prefix": "", "s3_suffix": ""},
    {"s3_prefix": 'in "quoted": #x {y} ü/', "s3_suffix": ".tar.gz"},
]


@pytest.mark.parametrize("overrides", GOOD, ids=lambda overrides: ",".join(overrides) or "defaults")
def test_good_answers_pass(defaults, overrides):
    assert problems(defaults, **overrides) == []


# --- Rendering: no answer can break the hook's source -------------------------------------------

HOSTILE = [
    'he said """hi"""\\',
    '"""',
    "'''",
    "\\",
    '\\"',
    'ends with a quote"',
    "\\u0022 \\n not escapes",
    "line\nbreak\r\n\u2028\x00",
    "🚀 ü 日本 </script> & ' <",
    "half \ud83d surrogate",
    "{{ 7*7 }} {% if %} {# c #}",
]


@pytest.mark.parametrize("value", HOSTILE, ids=repr)
def test_any_value_renders_into_the_hook_unchanged(defaults, value):
    context = {"cookiecutter": {**defaults, "description": value, "env_vars": value}}
    rendered = create_env_with_context(context).from_string(HOOK.read_text(encoding="utf-8")).render(context)
    module = load_hook(rendered)
    assert json.loads(module.RENDERED_ANSWERS["description"]) == value
    assert json.loads(module.RENDERED_ANSWERS["env_vars"]) == value
    assert json.loads(module.RENDERED_ANSWERS["project_name"]) == defaults["project_name"]


# --- End to end, through cookiecutter's API ----------------------------------------------------


@pytest.fixture
def output(tmp_path: Path) -> Path:
    directory = tmp_path / "output"
    directory.mkdir()
    return directory


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A cookiecutter config that keeps its replay files and clones out of the user's home."""
    path = tmp_path / "cookiecutter.yaml"
    config = {"cookiecutters_dir": str(tmp_path / "cookiecutters"), "replay_dir": str(tmp_path / "replay")}
    path.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    return path


def bake(output: Path, config_file: Path, **answers: str) -> Path:
    return Path(
        cookiecutter(
            str(REPO_ROOT),
            no_input=True,
            extra_context=answers,
            output_dir=str(output),
            config_file=str(config_file),
            accept_hooks=True,
        )
    )


def test_bad_answers_stop_the_bake_and_leave_nothing(output, config_file, capfd):
    with pytest.raises(FailedHookException):
        bake(output, config_file, memory_size="64", env_vars="1BAD=x")
    err = capfd.readouterr().err
    assert "2 problem(s)" in err
    assert "  memory_size: '64': must be from 128 to 10240 MB" in err
    assert "  env_vars: '1BAD=x': the name must be upper-case letters" in err
    assert list(output.iterdir()) == []


@pytest.mark.parametrize("name", ["", "   ", "\u3000"])
def test_a_blank_project_name_is_refused_by_name_not_by_an_empty_directory(name, output, config_file, capfd):
    """The slug is made from the name before the hook runs: a blank one must still reach the
    hook, which names the answer to fix, instead of cookiecutter failing on the current
    directory, which exists."""
    with pytest.raises(FailedHookException):
        bake(output, config_file, project_name=name)
    err = capfd.readouterr().err
    assert "1 problem(s)" in err
    assert "  project_name: " in err
    assert list(output.iterdir()) == []


def test_a_name_without_letters_or_digits_bakes_under_a_placeholder_slug(output, config_file):
    project = bake(output, config_file, project_name="!!! — ???")
    assert project.name == "unnamed-project"


def test_a_refused_run_prints_the_command_that_runs_it_again(output, config_file):
    """After the problems, the hook prints a command with every answer, and cookiecutter no
    traceback; fixing the refused one in the command bakes the project, and every other answer
    arrives exactly as it was typed."""
    typed = {
        "project_name": 'Zoë\'s $HOME "Relay" — 1',
        "description": "It's `not` a $(command), \\ \"quoted\" & 'single'",
        "s3_prefix": "in put/ $x",
        "reserved_concurrency": "1000",
        "schedule_expression": "cron(0 8 * * MON *)",
    }
    cli = str(Path(sys.executable).parent / "cookiecutter")
    environ = {**os.environ, "COOKIECUTTER_CONFIG": str(config_file)}
    arguments = [f"{name}={value}" for name, value in typed.items()]
    refused = subprocess.run(  # noqa: S603 - the cookiecutter CLI of this environment
        [cli, "--no-input", "--output-dir", str(output), str(REPO_ROOT), *arguments],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )
    assert refused.returncode != 0
    assert list(output.iterdir()) == []
    # No traceback buries the problems and the command (lambda_task_extensions.QuietRefusal).
    assert "Traceback" not in refused.stderr + refused.stdout
    lines = refused.stderr.splitlines()
    start = next(n for n, line in enumerate(lines) if line.endswith("in this command and run it:"))
    assert "correct schedule_expression, reserved_concurrency in" in lines[start]
    command = []
    for line in lines[start + 1 :]:
        command.append(line)
        if not line.endswith("\\"):
            break
    assert start + 1 + len(command) == len(lines), "the command ends the hook's output"
    fixed = "\n".join(command)
    fixed = fixed.replace("reserved_concurrency=1000", "reserved_concurrency=50")
    fixed = fixed.replace(
        "'schedule_expression=cron(0 8 * * MON *)'", "'schedule_expression=cron(0 8 ? * MON *)'"
    )

    again = subprocess.run(  # noqa: S603 - the printed command, as a user's shell would run it
        ["/bin/sh", "-c", fixed.replace("cookiecutter --no-input", f"{cli} --no-input", 1)],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
    )

    assert again.returncode == 0, again.stderr
    (project,) = output.iterdir()
    answers = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))["cookiecutter"]
    expected = {**typed, "reserved_concurrency": "50", "schedule_expression": "cron(0 8 ? * MON *)"}
    assert {name: answers[name] for name in typed} == expected


@pytest.mark.parametrize(
    "given",
    [{}, {"task": "blank"}, {"project_name": 'Zoë\'s "Relay" — Ünïcode 42'}, {"project_slug": "my-task"}],
    ids=lambda given: ",".join(given) or "defaults",
)
def test_the_rerun_command_derives_what_cookiecutter_json_derives(given):
    context = generate_context(context_file=str(REPO_ROOT / "cookiecutter.json"), extra_context=given)
    rendered = prompt_for_config(context, no_input=True)
    derived = {name: value for name, value in hook.derived_defaults(rendered).items() if name not in given}
    assert derived == {name: rendered[name] for name in derived}
    assert set(derived) | set(given) >= {"project_slug", "package_name", "description", "secret_name"}


def test_the_rerun_command_hides_credentials_and_unprintable_values():
    answers = {name: "x" for name in hook.RENDERED_ANSWERS}
    answers.update(env_vars="DB_PASSWORD=hunter2,MODE=fast", description="two\nlines", project_slug="a-b")
    command = hook.rerun_command(answers, ["env_vars", "description"], {})

    assert "hunter2" not in command
    assert "'env_vars=DB_PASSWORD=<a credential: leave it out>,MODE=fast'" in command
    assert "two" not in command
    assert "<where this template is>" in command  # no _template: cruft, say


def test_bad_trigger_answers_stop_the_bake_and_leave_nothing(output, config_file, capfd):
    with pytest.raises(FailedHookException):
        bake(
            output,
            config_file,
            trigger="schedule",
            schedule_expression="cron(0 8 * * *)",
            event_pattern='{"source": "orders"}',
        )
    err = capfd.readouterr().err
    assert "2 problem(s)" in err
    assert "  schedule_expression: 'cron(0 8 * * *)': cron() takes 6 fields" in err
    assert """  event_pattern: '{"source": "orders"}': field 'source' must hold""" in err
    assert list(output.iterdir()) == []


def test_a_bad_slug_leaves_no_directory_either(output, config_file, capfd):
    # Cookiecutter creates the directory ("My Stack") before the hook runs, and removes it after.
    with pytest.raises(FailedHookException):
        bake(output, config_file, project_slug="My Stack")
    assert "project_slug: 'My Stack':" in capfd.readouterr().err
    assert list(output.iterdir()) == []


@pytest.mark.parametrize(
    "description",
    ['he said """hi"""\\', "\\\"'''\"", "{{ 7*7 }}"],
    ids=["triple-quotes-and-backslash", "escaped-quotes", "jinja-rendered-by-cookiecutter"],
)
def test_hostile_text_that_is_valid_bakes(output, config_file, capfd, description):
    project = bake(output, config_file, description=description)
    assert (project / "template.yaml").is_file()
    assert "Error" not in capfd.readouterr().err


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (
            {"description": 'he said """hi"""\\\nbye'},
            'description: \'he said """hi"""\\\\\\nbye\': contains \'\\n\'',
        ),
        ({"description": "{% raw %}{{ 7*7 }}{% endraw %}"}, "description: '{{ 7*7 }}': contains '{{'"),
        ({"memory_size": '"""\\'}, 'memory_size: \'"""\\\\\': must be a whole number'),
    ],
    ids=["newline-among-quotes", "jinja-surviving-render", "quotes-in-a-number"],
)
def test_hostile_text_that_is_invalid_is_refused_clearly(output, config_file, capfd, answers, expected):
    with pytest.raises(FailedHookException):
        bake(output, config_file, **answers)
    err = capfd.readouterr().err
    assert expected in err
    assert "Traceback" not in err
    assert "SyntaxError" not in err
    assert list(output.iterdir()) == []


# --- The post-generation hook: prunes the files of options not chosen ----------------------------

POST_HOOK = REPO_ROOT / "hooks" / "post_gen_project.py"
post_hook = load_hook(POST_HOOK.read_text(encoding="utf-8"), "post_gen_project")


def test_the_post_hook_reads_its_answers_as_json():
    for name, text in post_hook.RENDERED_ANSWERS.items():
        assert name in VARIABLES
        assert text == " {{ cookiecutter." + name + " | tojson }} "


def test_every_optional_file_is_kept_by_an_offered_answer():
    for path, (variable, keep) in post_hook.OPTIONAL_FILES.items():
        assert variable in post_hook.RENDERED_ANSWERS
        assert keep, path
        assert set(keep) <= set(COOKIECUTTER_JSON[variable])
        assert (REPO_ROOT / "{{cookiecutter.project_slug}}" / path).is_file()


def test_the_asynchronous_triggers_are_every_trigger_but_sqs():
    assert set(post_hook.ASYNCHRONOUS_TRIGGERS) == set(COOKIECUTTER_JSON["trigger"]) - {"sqs"}


def test_the_secret_and_aws_client_files_exist():
    for path in [*post_hook.SECRET_FILES, *post_hook.AWS_CLIENT_FILES]:
        assert (REPO_ROOT / "{{cookiecutter.project_slug}}" / path).is_file()


IDEMPOTENCY_MODULE = "src/{{cookiecutter.package_name}}/idempotency.py"
SNAPSTART_TESTS = "tests/integration/test_snapstart.py"
ASYNC_FILES = [
    "local/async_invoke.py",
    "tests/integration/test_async_handler.py",
    "tests/runtime/test_async_faults.py",
]
SQS_FILES = [
    "local/queue.py",
    "tests/integration/test_handler.py",
    "tests/runtime/test_faults.py",
]
SAMPLES = {trigger: f"events/{trigger}.json" for trigger in COOKIECUTTER_JSON["trigger"]}


def samples_but(trigger: str) -> list[str]:
    return [path for name, path in SAMPLES.items() if name != trigger]


SECRET = post_hook.SECRET_FILES
AWS_CLIENT = post_hook.AWS_CLIENT_FILES


@pytest.mark.parametrize(
    ("catalog_entry", "idempotency", "cold_start", "trigger", "secret_name", "unwanted"),
    [
        ("none", "on", "none", "sqs", "s", ["catalog-info.yaml", SNAPSTART_TESTS, *ASYNC_FILES]),
        ("backstage", "on", "snapstart", "sqs", "s", [*ASYNC_FILES]),
        ("backstage", "off", "provisioned", "sns", "s", [IDEMPOTENCY_MODULE, SNAPSTART_TESTS, *SQS_FILES]),
        (
            "none",
            "off",
            "snapstart",
            "invoke",
            "s",
            ["catalog-info.yaml", IDEMPOTENCY_MODULE, *SQS_FILES],
        ),
        # No secret: no cache, whatever else would have wanted it; and with no ledger either,
        # no AWS client. (A blank task, too: no target, so none of the worked
        # example's target faults.)
        (
            "none",
            "off",
            "none",
            "sqs",
            "",
            [
                "catalog-info.yaml",
                SNAPSTART_TESTS,
                IDEMPOTENCY_MODULE,
                *ASYNC_FILES,
                *SECRET,
                *AWS_CLIENT,
            ],
        ),
        (
            "none",
            "on",
            "none",
            "s3",
            "",
            ["catalog-info.yaml", SNAPSTART_TESTS, *SQS_FILES, *SECRET],
        ),
    ],
)
def test_unwanted_files(catalog_entry, idempotency, cold_start, trigger, secret_name, unwanted):
    answers = {
        "catalog_entry": catalog_entry,
        "idempotency": idempotency,
        "cold_start": cold_start,
        "trigger": trigger,
        "secret_name": secret_name,
        "task": "http_delivery",
    }
    assert sorted(post_hook.unwanted_files(answers)) == sorted([*unwanted, *samples_but(trigger)])
    blank = sorted(post_hook.unwanted_files({**answers, "task": "blank"}))
    assert blank == sorted([*unwanted, *samples_but(trigger), "tests/runtime/test_task_faults.py"])


def test_pruning_twice_or_with_the_file_gone_does_not_fail(tmp_path):
    (tmp_path / "catalog-info.yaml").write_text("kind: Component\n")
    (tmp_path / "keep.txt").write_text("x")
    answers = {
        "catalog_entry": "none",
        "idempotency": "off",
        "cold_start": "none",
        "trigger": "sqs",
        "secret_name": "s",
        "task": "blank",
    }
    post_hook.prune(tmp_path, answers)
    post_hook.prune(tmp_path, answers)
    assert [path.name for path in tmp_path.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("catalog_entry", ["none", "backstage"])
def test_the_catalog_entry_is_generated_only_when_asked_for(output, config_file, catalog_entry):
    project = bake(output, config_file, catalog_entry=catalog_entry)
    assert (project / "catalog-info.yaml").is_file() == (catalog_entry == "backstage")
