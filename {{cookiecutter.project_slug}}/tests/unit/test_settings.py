{%- set secret = cookiecutter.secret_name != "" -%}
import pytest

from {{ cookiecutter.package_name }}.settings import (
    DEFAULT_MAX_CONCURRENCY,
    Environment,
    Settings,
    SettingsError,
)

{% if secret or cookiecutter.idempotency == "on" -%}
VALID = {
{%- if secret %}
    "SECRET_NAME": "example/target-api-key",
    "SECRET_TTL_SECONDS": "300",
{%- endif %}
{%- if cookiecutter.idempotency == "on" %}
    "IDEMPOTENCY_TABLE_NAME": "idempotency",
{%- endif %}
}
{%- else -%}
VALID: dict[str, str] = {}
{%- endif %}


def read(environ: dict[str, str]) -> Settings:
    environment = Environment(environ)
    settings = Settings.read(environment)
    environment.check()
    return settings


def problems_of(environ: dict[str, str]) -> list[str]:
    with pytest.raises(SettingsError) as raised:
        read(environ)
    return raised.value.problems


def test_valid_settings_are_parsed_with_defaults():
    settings = read(VALID)

{%- if secret %}
    assert settings.secret_name == VALID["SECRET_NAME"]
    assert settings.secret_ttl_seconds == 300
{%- endif %}
    assert settings.max_concurrency == DEFAULT_MAX_CONCURRENCY


def test_optional_settings_are_read():
    assert read({**VALID, "MAX_CONCURRENCY": "50"}).max_concurrency == 50


def test_every_problem_is_reported_at_once():
    problems = problems_of({"MAX_CONCURRENCY": "-1"{% if secret %}, "SECRET_TTL_SECONDS": "0"{% endif %}})

    assert problems == [
{%- if secret %}
        "SECRET_NAME is not set: expected a Secrets Manager secret name or ARN",
        "SECRET_TTL_SECONDS='0': expected an integer from 1 to 86400",
{%- endif %}
        "MAX_CONCURRENCY='-1': expected an integer of at least 1",
{%- if cookiecutter.idempotency == "on" %}
        "IDEMPOTENCY_TABLE_NAME is not set: expected a DynamoDB table name",
{%- endif %}
    ]


def test_the_error_message_lists_every_problem():
    environment = Environment({})
    environment.text("FIRST", expected="a name")
    environment.integer("SECOND", minimum=1)

    with pytest.raises(SettingsError) as raised:
        environment.check()

    assert raised.value.problems == [
        "FIRST is not set: expected a name",
        "SECOND is not set: expected an integer of at least 1",
    ]
    for problem in raised.value.problems:
        assert problem in str(raised.value)


def test_no_problem_no_error():
    Environment({}).check()


@pytest.mark.parametrize(
    "url",
    [
        "",
        "receiver.example.com/hooks",
        "/hooks",
        "ftp://receiver.example.com",
        "https://",
        "http://[::1",
        # Plain http leaves this machine readable by anyone on the path: refused.
        "http://receiver.example.com/hooks",
        "http://10.0.0.7/hooks",
        "http://127.0.0.1.example.com/",
        "http://localhost.evil.example/",
        "http://user@receiver.example.com/",
    ],
)
def test_a_url_must_be_https_or_local_http(url):
    environment = Environment({"URL": url})
    environment.https_url("URL")

    assert environment.problems == [
        f"URL={url!r}: expected an absolute https:// URL (http:// only to 127.0.0.1, ::1 or"
        " localhost)"
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://receiver.example.com/hooks?x=1",
        "HTTPS://Receiver.Example.com/",
        "http://127.0.0.1:8080/hooks",
        "http://[::1]:9/",
        "http://localhost/hooks",
        "http://LOCALHOST:1/",
    ],
)
def test_https_anywhere_and_http_to_this_machine_are_accepted(url):
    environment = Environment({"URL": url})

    assert environment.https_url("URL") == url
    assert environment.problems == []


@pytest.mark.parametrize("value", ["", "ten", "1.5", "0", "86401"])
def test_an_integer_must_be_whole_and_in_range(value):
    environment = Environment({"NUMBER": value})
    environment.integer("NUMBER", minimum=1, maximum=86_400)

    assert environment.problems == [f"NUMBER={value!r}: expected an integer from 1 to 86400"]


@pytest.mark.parametrize("value", ["1", "86400"])
def test_an_integers_bounds_are_accepted(value):
    environment = Environment({"NUMBER": value})

    assert environment.integer("NUMBER", minimum=1, maximum=86_400) == int(value)
    assert environment.problems == []


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "ten"])
def test_seconds_must_be_a_positive_number(value):
    environment = Environment({"WAIT": value})
    environment.seconds("WAIT", default=1.0)

    assert environment.problems == [f"WAIT={value!r}: expected a number of seconds greater than 0"]


def test_unset_optional_values_take_their_default():
    environment = Environment({})

    assert environment.seconds("WAIT", default=2.5) == 2.5
    assert environment.integer("COUNT", minimum=1, default=7) == 7
    assert environment.problems == []


def test_text_must_not_be_blank_and_plain_may_be_empty():
    environment = Environment({"NAME": " ", "NOTE": ""})

    assert environment.plain("NOTE") == ""
    environment.text("NAME", expected="a name")
    environment.plain("MISSING")
    assert environment.problems == [
        "NAME=' ': expected a name",
        "MISSING is not set: expected a value (template.yaml sets it)",
    ]
