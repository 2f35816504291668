"""The secret read through the Parameters and Secrets extension (its local stand-in, on moto)."""

import uuid
from collections.abc import Iterator

import pytest

from {{ cookiecutter.package_name }}.secrets_extension import (
    PORT_VARIABLE,
    SecretsExtensionError,
    read_secret_string,
    secret_reader,
)

from local.aws import PROFILE_VARIABLES, create_secret
from local.run import PROJECT_ROOT, function_environment
from local.secrets_extension import CONFIGURATION, SecretsExtension


@pytest.fixture
def extension(aws, monkeypatch) -> Iterator[SecretsExtension]:
    """The extension's stand-in, and the function's environment pointed at it."""
    for name in PROFILE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with SecretsExtension(function_environment(aws)) as running:
        for name, value in running.environ.items():
            monkeypatch.setenv(name, value)
        running.start_invoke_phase()
        yield running


def test_the_secret_string_is_returned(aws, extension):
    name = f"test/{uuid.uuid4()}"
    create_secret(aws, name, "the-key")

    assert read_secret_string(name) == "the-key"


def test_during_init_the_extension_answers_nothing(aws, monkeypatch):
    # AWS: the extension can be called during INVOKE only, so a read at init must fail.
    for name in PROFILE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    name = f"test/{uuid.uuid4()}"
    create_secret(aws, name, "the-key")
    with SecretsExtension(function_environment(aws)) as initialising:
        for variable, value in initialising.environ.items():
            monkeypatch.setenv(variable, value)
        with pytest.raises(SecretsExtensionError, match="answered 400"):
            read_secret_string(name)

        initialising.start_invoke_phase()
        assert read_secret_string(name) == "the-key"


def test_a_missing_secret_raises_without_a_value(extension):
    with pytest.raises(SecretsExtensionError, match=r"answered [45]\d\d for secret test/absent"):
        read_secret_string("test/absent")


def test_a_request_without_the_session_token_is_refused(aws, extension, monkeypatch):
    name = f"test/{uuid.uuid4()}"
    create_secret(aws, name, "the-key")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "another-sandbox")

    with pytest.raises(SecretsExtensionError, match="answered 401"):
        read_secret_string(name)


def test_with_the_layer_the_reader_asks_the_extension(aws, extension, monkeypatch):
    name = f"test/{uuid.uuid4()}"
    create_secret(aws, name, "the-key")
    read = secret_reader(name)
    assert read() == "the-key"

    monkeypatch.setenv("AWS_SESSION_TOKEN", "another-sandbox")  # the extension refuses this
    with pytest.raises(SecretsExtensionError, match="answered 401"):
        read()


def test_without_the_layer_the_reader_asks_secrets_manager_itself(aws, monkeypatch):
    for name, value in function_environment(aws).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(PORT_VARIABLE, raising=False)  # no layer: template.yaml leaves it unset
    name = f"test/{uuid.uuid4()}"
    create_secret(aws, name, "the-key")

    assert secret_reader(name)() == "the-key"


def test_the_stand_in_is_configured_as_template_yaml_configures_the_extension():
    template = (PROJECT_ROOT / "template.yaml").read_text(encoding="utf-8")
    for name, value in CONFIGURATION.items():
        assert f'{name}: "{value}"' in template
