"""Fixtures shared by unit and integration tests. Everything listens on 127.0.0.1 only."""

from collections.abc import Iterator

import pytest

from local.aws import moto_server
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
def receiver() -> Iterator[Receiver]:
{%- if cookiecutter.secret_name %}
    """A fresh local target that accepts ``API_KEY``."""
    with Receiver(api_key=API_KEY) as target:
{%- else %}
    """A fresh local target."""
    with Receiver() as target:
{%- endif %}
        yield target
