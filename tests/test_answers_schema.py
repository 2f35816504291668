"""answers.schema.json: made from the hook's rules and up to date with them, valid JSON Schema,
and in agreement with the hook on one table of good and bad answers wherever a schema can
express the rule; the README's table states the same ranges."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

import answers_schema
from tests.test_hooks import hook, problems
from tests.test_readme import README, ROW

SCHEMA = json.loads(answers_schema.SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

# (variable, answer as typed, accepted?). Numbers are typed as text, as cookiecutter takes them.
TABLE = [
    ("project_name", 'Zoë\'s "Relay" — 1', True),
    ("project_name", "", False),
    ("project_name", "   ", False),
    ("project_name", "\u3000", False),  # an ideographic space is blank too
    ("project_name", "\u0085", False),  # so is NEL, which JavaScript's \s leaves out
    ("project_name", "x" * 101, False),
    ("project_name", "two\nlines", False),
    ("project_slug", "my-task", True),
    ("project_slug", "My-Task", False),
    ("project_slug", "my--task", False),
    ("project_slug", "a" * 41, False),
    ("package_name", "my_task", True),
    ("package_name", "1task", False),
    ("package_name", "class", False),
    ("package_name", "match", False),  # a soft keyword
    ("package_name", "json", False),
    ("package_name", "asyncio", False),
    ("package_name", "annotationlib", False),  # a module of a newer Python than this one
    ("package_name", "boto3", False),
    ("package_name", "jsonish", True),
    ("task", "blank", True),
    ("task", "relay", False),
    ("description", "", True),
    ("description", "x" * 257, False),
    ("description", "tab\there", False),
    # Jinja syntax, which cookiecutter would render (and run) before the hook saw it.
    ("description", "{{ 7*7 }}", False),
    ("env_vars", "A={% if cycler %}x{% endif %}", False),
    ("env_vars", "", True),
    ("env_vars", " APP_MODE = fast , APP_NOTE=Zoë \"q\" 'x' = y,", True),
    ("env_vars", "APP_MODE=fast,,APP_REGION=eu-west-1", True),
    ("env_vars", "DB_PASSWORD_SECRET_NAME=db/password,MY_TOKEN_ARN=arn:x", True),
    ("env_vars", "AWS_REGION=eu-west-1", False),
    ("env_vars", "LAMBDA_TASK=x", False),
    ("env_vars", "TARGET_URL=https://example.com", False),
    ("env_vars", "PYTHONPATH=/tmp", False),
    ("env_vars", "lower=x", False),
    ("env_vars", "1BAD=x", False),
    ("env_vars", "A=x", False),  # POSIX, as Lambda has it: two characters at least
    ("env_vars", "IF=1", False),  # settings.if
    ("env_vars", "DUP=1,DUP=2", False),
    ("env_vars", "DUP=1, APP_X=2 , DUP =3", False),
    ("env_vars", "APP_MODE", False),
    ("env_vars", "APP_MODE=a\nb", False),
    ("env_vars", "APP_MODE=a\u202eb", False),
    ("env_vars", "APP_MODE=a\x80b", False),  # a C1 control
    ("env_vars", "\ufeffAPP_MODE=1", False),  # a byte-order mark, which JavaScript's \s takes
    ("env_vars", "\u3000APP_MODE=1\u00a0", True),  # spaces Python's strip() takes, as the hook does
    ("env_vars", "DB_PASSWORD=hunter2", False),
    ("env_vars", "APP_MODE=1,STRIPE_API_KEY=sk_live", False),
    # Credentials by a part of the name, by KEY last, or by the value's shape (issue 22).
    ("env_vars", "STRIPE_KEY=abc", False),
    ("env_vars", "DB_PASS=x", False),
    ("env_vars", "AUTH_HEADER=x", False),
    ("env_vars", "SESSION_COOKIE=x", False),
    ("env_vars", "KEY=x", False),
    ("env_vars", "PARTITION_KEY=id,S3_KEY_PREFIX=in/,BYPASS_CACHE=1,OAUTH_SCOPE=read", True),
    ("env_vars", "PASSENGER_LIMIT=4,KEYBOARD=us,AUTHOR=ada,APP_KEY_ARN=arn:x", True),
    ("env_vars", "MYPARTITION_KEY=x", False),
    ("env_vars", "APP_NOTE=AKIAIOSFODNN7EXAMPLE", False),
    ("env_vars", "APP_HOOK=https://relay:hunter2@example.com/in", False),
    ("env_vars", "APP_HOOK=https://example.com/in?user=a@b", True),
    ("env_vars", "APP_NOTE=see ghp_" + "a" * 36, False),
    ("env_vars", "APP_NOTE=xoxb-1234567890-abc", False),
    ("env_vars", "APP_NOTE=eyJhbGciOiJI.eyJzdWIiOiIx.SflKxwRJSMeK", False),
    # Settings about a credential, not one; shapes inside a word, or after ? or #, are none.
    ("env_vars", "AUTH_ISSUER=https://id.example.com,COOKIE_DOMAIN=example.com,AUTH_MODE=jwt", True),
    ("env_vars", "KMS_KEY=alias/app,S3_KEY=in/x.json,BUCKET_KEY=true,DB_USER_ID=7", True),
    ("env_vars", "DB_TABLE=task_test_deliveries_archive", True),
    ("env_vars", "APP_HOOK=https://api.example.com:8443?contact=ops@example.com", True),
    ("s3_suffix", ".json{# x #}", False),
    ("author_name", "Ada Lovelace", True),
    ("author_name", "Lovelace, Ada", False),
    ("author_name", " ", False),
    ("author_email", "ada@example.com", True),
    ("author_email", "ada", False),
    ("trigger", "sns", True),
    ("trigger", "kafka", False),
    ("python_version", "3.11", False),
    ("architecture", "x86_64", True),
    ("aws_region", "eu-west-1", True),
    ("aws_region", "Ireland", False),
    ("memory_size", "128", True),
    ("memory_size", "127", False),
    ("memory_size", "10241", False),
    ("timeout", "900", True),
    ("timeout", "901", False),
    ("batch_size", "0", False),
    ("max_receive_count", "1000", True),
    ("schedule_expression", "rate(5 minutes)", True),
    ("schedule_expression", "every 5 minutes", False),
    ("event_pattern", '{"source": ["com.example.orders"]}', True),
    ("event_pattern", '["com.example.orders"]', False),
    ("s3_prefix", "incoming/", True),
    ("s3_prefix", "/incoming/", False),
    ("s3_suffix", "x" * 1025, False),
    ("secret_name", "", True),
    ("secret_name", "my-task/api-key", True),
    ("secret_name", "aws/key", False),
    ("secret_name", "name-abcdef", False),
    ("secret_name", "a b", False),
    ("secret_name", "s" * 513, False),
    ("secret_ttl_seconds", "86400", True),
    ("secret_ttl_seconds", "0", False),
    ("idempotency", "maybe", False),
    ("cold_start", "provisioned", True),
    ("provisioned_concurrency", "901", False),
    ("reserved_concurrency", "", True),
    ("reserved_concurrency", "900", True),
    ("reserved_concurrency", "901", False),
    ("sqs_maximum_concurrency", "1", False),
    ("sqs_maximum_concurrency", "2", True),
    ("log_retention_days", "2", False),
    ("log_retention_days", "3653", True),
    ("alarm_email", "", True),
    ("alarm_email", "ops", False),
    ("catalog_entry", "backstage", True),
    ("catalog_owner", "group:default/payments", True),
    ("catalog_owner", "user:ada.lovelace", True),
    ("catalog_owner", "team-a", True),
    ("catalog_owner", "component:default/x", False),
    ("catalog_owner", "group:Default/x", False),
    ("catalog_owner", "group:default/", False),
    ("catalog_owner", "a/b/c", False),
    # A final newline, which Python's "$" would let through.
    ("catalog_owner", "team-a\n", False),
    ("project_slug", "my-task\n", False),
    ("aws_region", "us-east-1\n", False),
]
# Rules a JSON Schema cannot express: the hook refuses these answers, the schema lets them through.
HOOK_ONLY = [
    ("schedule_expression", "cron(0 8 * * MON *)", "the fields of a cron expression"),
    ("event_pattern", '{"source": "orders"}', "what EventBridge accepts in a pattern"),
    ("env_vars", "APP_BLOB=" + "x" * 4000, "Lambda's 4 KB for all variables, counted in bytes"),
    ("s3_prefix", "é" * 600, "S3 counts bytes, a schema counts characters"),
    ("catalog_owner", "group:default/" + "x" * 64, "each part of a reference at most 63 characters"),
]


def typed(variable: str, answer: str) -> object:
    """The answer as a form would send it: whole numbers as integers."""
    return int(answer) if variable in hook.WHOLE_NUMBERS and answer.isdigit() else answer


def hook_accepts(answers: dict[str, str], variable: str, answer: str) -> bool:
    """Whether the hook finds no problem with ``answer`` among otherwise default ``answers``."""
    return not [p for p in problems(answers, **{variable: answer}) if p.startswith(f"{variable}:")]


def test_the_schema_is_made_from_the_hook_and_up_to_date():
    assert answers_schema.SCHEMA_PATH.read_text(encoding="utf-8") == answers_schema.render(), (
        "answers.schema.json is out of date: run `python answers_schema.py`"
    )


def test_the_schema_is_valid_json_schema_and_names_every_answer_in_prompt_order():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert list(SCHEMA["properties"]) == list(hook.RENDERED_ANSWERS)


# Whole numbers written as text (cookiecutter's command line, replay files): the schema holds
# them to digits only, the hook to their range.
HOOK_ONLY_AS_TEXT = [("memory_size", "99999"), ("reserved_concurrency", "901"), ("timeout", "0")]


@pytest.mark.parametrize(("variable", "answer"), HOOK_ONLY_AS_TEXT)
def test_numbers_as_text_are_held_to_digits_by_the_schema_and_to_their_range_by_the_hook(
    defaults, variable, answer
):
    assert not hook_accepts(defaults, variable, answer)
    assert VALIDATOR.is_valid({variable: answer})
    assert not VALIDATOR.is_valid({variable: f"{answer}.0"})


def test_a_bakes_recorded_answers_are_valid(bake):
    recorded = json.loads((bake({}) / ".cookiecutter.json").read_text(encoding="utf-8"))["cookiecutter"]
    assert list(VALIDATOR.iter_errors(recorded)) == []


def test_the_defaults_are_valid_answers():
    defaults_given = {
        name: rule["default"] for name, rule in SCHEMA["properties"].items() if "default" in rule
    }
    assert list(VALIDATOR.iter_errors(defaults_given)) == []


@pytest.mark.parametrize(("variable", "answer", "accepted"), TABLE, ids=lambda v: str(v)[:30])
def test_the_hook_and_the_schema_agree(defaults, variable, answer, accepted):
    assert hook_accepts(defaults, variable, answer) == accepted
    assert VALIDATOR.is_valid({variable: typed(variable, answer)}) == accepted


@pytest.mark.parametrize(("variable", "answer", "why"), HOOK_ONLY, ids=lambda v: str(v)[:30])
def test_what_only_the_hook_can_refuse(defaults, variable, answer, why):
    assert not hook_accepts(defaults, variable, answer), why
    assert VALIDATOR.is_valid({variable: typed(variable, answer)}), why


def test_the_readme_states_the_hooks_ranges():
    rules = {name: rule for name, _, _, rule in ROW.findall(README)}
    for variable, (minimum, maximum, *_) in hook.WHOLE_NUMBERS.items():
        rule = rules[variable]
        # The README writes a range with an en dash.
        assert re.search(rf"\b{minimum}\u2013{maximum}\b", rule), (variable, rule)
