import pytest

from {{ cookiecutter.package_name }}.settings import (
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_TARGET_TIMEOUT_SECONDS,
    SettingsError,
    load_settings,
)

# The extra settings of this project (the env_vars answer): (variable, value).
{%- if cookiecutter.env_vars.strip() %}
EXTRAS = [
{%- for pair in cookiecutter.env_vars.split(',') if pair.strip() %}
    ({{ pair.split('=', 1)[0].strip() | quoted }}, {{ pair.split('=', 1)[1].strip() | quoted }}),
{%- endfor %}
]
{%- else %}
EXTRAS: list[tuple[str, str]] = []
{%- endif %}
VALID = {
    "TARGET_URL": "https://receiver.example.com/hooks",
    "SECRET_NAME": "example/target-api-key",
    "SECRET_TTL_SECONDS": "300",
{%- if cookiecutter.idempotency == "on" %}
    "IDEMPOTENCY_TABLE_NAME": "idempotency",
{%- endif %}
    **dict(EXTRAS),
}


def problems_of(environ: dict[str, str]) -> list[str]:
    with pytest.raises(SettingsError) as raised:
        load_settings(environ)
    return raised.value.problems


def test_valid_settings_are_parsed_with_defaults():
    settings = load_settings(VALID)

    assert settings.target_url == "https://receiver.example.com/hooks"
    assert settings.secret_name == VALID["SECRET_NAME"]
    assert settings.secret_ttl_seconds == 300
    assert settings.target_timeout_seconds == DEFAULT_TARGET_TIMEOUT_SECONDS
    assert settings.max_concurrency == DEFAULT_MAX_CONCURRENCY
    for name, value in EXTRAS:
        assert getattr(settings, name.lower()) == value


def test_optional_settings_are_read():
    settings = load_settings({**VALID, "TARGET_TIMEOUT_SECONDS": "2.5", "MAX_CONCURRENCY": "50"})

    assert settings.target_timeout_seconds == 2.5
    assert settings.max_concurrency == 50


def test_every_problem_is_reported_at_once():
    problems = problems_of(
        {
            "TARGET_URL": "ftp://receiver.example.com",
            "SECRET_TTL_SECONDS": "0",
            "TARGET_TIMEOUT_SECONDS": "soon",
            "MAX_CONCURRENCY": "-1",
        }
    )

    assert problems[:5] == [
        "TARGET_URL='ftp://receiver.example.com': expected an absolute http:// or https:// URL",
        "SECRET_NAME is not set: expected a Secrets Manager secret name or ARN",
        "SECRET_TTL_SECONDS='0': expected an integer from 1 to 86400",
        "TARGET_TIMEOUT_SECONDS='soon': expected a number of seconds greater than 0",
        "MAX_CONCURRENCY='-1': expected an integer of at least 1",
    ]
{%- if cookiecutter.idempotency == "on" %}
    assert problems[5] == "IDEMPOTENCY_TABLE_NAME is not set: expected a DynamoDB table name"
    assert len(problems) == 6 + len(EXTRAS)
{%- else %}
    assert len(problems) == 5 + len(EXTRAS)
{%- endif %}


def test_the_error_message_lists_every_problem():
    with pytest.raises(SettingsError) as raised:
        load_settings({})

    message = str(raised.value)
    for problem in raised.value.problems:
        assert problem in message


@pytest.mark.parametrize(
    "name", ["TARGET_URL", "SECRET_NAME", "SECRET_TTL_SECONDS", *(name for name, _ in EXTRAS)]
)
def test_required_variables_must_be_set(name):
    environ = {key: value for key, value in VALID.items() if key != name}

    (problem,) = problems_of(environ)
    assert problem.startswith(f"{name} is not set: expected ")


@pytest.mark.parametrize(
    "url",
    [
        "",
        "receiver.example.com/hooks",
        "/hooks",
        "ftp://receiver.example.com",
        "https://",
        "http://[::1",
    ],
)
def test_target_url_must_be_an_absolute_http_url(url):
    assert problems_of({**VALID, "TARGET_URL": url}) == [
        f"TARGET_URL={url!r}: expected an absolute http:// or https:// URL"
    ]


@pytest.mark.parametrize("value", ["", "ten", "1.5", "0", "86401"])
def test_secret_ttl_must_be_an_integer_in_range(value):
    assert problems_of({**VALID, "SECRET_TTL_SECONDS": value}) == [
        f"SECRET_TTL_SECONDS={value!r}: expected an integer from 1 to 86400"
    ]


@pytest.mark.parametrize("value", ["1", "86400"])
def test_secret_ttl_bounds_are_accepted(value):
    assert load_settings({**VALID, "SECRET_TTL_SECONDS": value}).secret_ttl_seconds == int(value)


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "ten"])
def test_target_timeout_must_be_a_positive_number(value):
    assert problems_of({**VALID, "TARGET_TIMEOUT_SECONDS": value}) == [
        f"TARGET_TIMEOUT_SECONDS={value!r}: expected a number of seconds greater than 0"
    ]


def test_secret_name_must_not_be_blank():
    assert problems_of({**VALID, "SECRET_NAME": " "}) == [
        "SECRET_NAME=' ': expected a Secrets Manager secret name or ARN"
    ]
