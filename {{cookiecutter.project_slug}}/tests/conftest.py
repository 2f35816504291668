"""Fixtures shared by unit and integration tests. Everything listens on 127.0.0.1 only."""

from collections.abc import Iterator

import pytest

from local.aws import FAKE_CREDENTIALS, PROFILE_VARIABLES, moto_server
from local.target import Receiver

{%- if cookiecutter.secret_name %}

API_KEY = "test-api-key"  # made up; only the local receiver accepts it
{%- endif %}


@pytest.fixture(scope="session")
def aws() -> Iterator[str]:
    """The endpoint URL of a moto server shared by the whole session."""
    with moto_server() as endpoint_url:
        yield endpoint_url


@pytest.fixture
def aws_environment(aws: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point every AWS client made from now on at moto: a task's, made in ``Task.__init__``, too.

    boto3 reads ``AWS_ENDPOINT_URL`` and the credentials from the environment when a client is
    made; the machine's own profiles are hidden, so no test can reach a real account.
    """
    for variable in PROFILE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    for variable, value in {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": aws}.items():
        monkeypatch.setenv(variable, value)
    return aws


{%- if cookiecutter.secret_name %}


@pytest.fixture
def secret_value() -> str:
    """What the tests store as the function's secret: made up, and the receiver's API key."""
    return API_KEY
{%- endif %}


@pytest.fixture
def receiver({{ "secret_value: str" if cookiecutter.secret_name }}) -> Iterator[Receiver]:
{%- if cookiecutter.secret_name %}
    """A fresh local target that accepts ``secret_value`` as its API key."""
    with Receiver(api_key=secret_value) as target:
{%- else %}
    """A fresh local target."""
    with Receiver() as target:
{%- endif %}
        yield target
