"""A local stand-in for the AWS Parameters and Secrets Lambda Extension, backed by moto.

On Lambda the extension runs beside the function in its sandbox and answers on localhost; the
function reads its secret from it (the package's secrets_extension.py). This stand-in answers
that request as the extension does: ``GET /secretsmanager/get?secretId=<name or ARN>`` with the
header ``X-Aws-Parameters-Secrets-Token`` equal to the sandbox's AWS_SESSION_TOKEN, answered
with Secrets Manager's GetSecretValue response as JSON. It reads the store with the function's
own environment (credentials, Region, AWS_ENDPOINT_URL, AWS_MAX_ATTEMPTS), as the extension
uses the function's role, caches nothing and gives up on the store after
SECRETS_MANAGER_TIMEOUT_MILLIS, as template.yaml configures the extension.

AWS documents that the extension can be called during the INVOKE phase only, not during INIT
(Systems Manager User Guide, "Using Parameter Store parameters in AWS Lambda functions"; the
Secrets Manager page sends there). What it answers during INIT is not documented: the stand-in
refuses every request from `start_init_phase` to `start_invoke_phase` (LambdaProcess calls
them when each environment's init starts and ends), the safer assumption, so a function that
reads it at init fails here too.
"""

import json
import threading
from collections.abc import Mapping
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from local.http_server import BackgroundServer, QuietRequestHandler

TOKEN_HEADER = "X-Aws-Parameters-Secrets-Token"  # noqa: S105 - a header's name, not a secret


# The extension's settings as template.yaml sets them when the layer is attached
# (tests/unit/test_secrets_extension.py holds the two to the same values).
CONFIGURATION = {
    "PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED": "false",
    "SECRETS_MANAGER_TIMEOUT_MILLIS": "5000",
}


class SecretsExtension(BackgroundServer):
    """The extension's HTTP API on 127.0.0.1, on a free port, for one function instance.

    Args:
        environ: The function's environment; `environ` returns it with the extension's port
            and settings.
    """

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = {**CONFIGURATION, **environ}
        # 0, the extension's default, waits for the store without a limit.
        timeout_seconds = int(self._environ["SECRETS_MANAGER_TIMEOUT_MILLIS"]) / 1000 or None
        self._client = boto3.session.Session(
            aws_access_key_id=environ["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=environ["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=environ["AWS_SESSION_TOKEN"],
            region_name=environ["AWS_REGION"],
        ).client(
            "secretsmanager",
            endpoint_url=environ.get("AWS_ENDPOINT_URL"),
            # The function's trust store, as the extension in its sandbox would have it.
            verify=environ.get("AWS_CA_BUNDLE") or None,
            config=Config(
                connect_timeout=timeout_seconds,
                read_timeout=timeout_seconds,
                retries={"total_max_attempts": int(environ.get("AWS_MAX_ATTEMPTS", "3"))},
            ),
        )
        self._invoke_phase = threading.Event()
        super().__init__(_handler_for(self))

    def start_init_phase(self) -> None:
        """Answer nothing from now on: a new environment of the function is initialising."""
        self._invoke_phase.clear()

    def start_invoke_phase(self) -> None:
        """Answer requests from now on: the function's INIT phase is over."""
        self._invoke_phase.set()

    @property
    def environ(self) -> dict[str, str]:
        """The function's environment, with the extension's port and settings."""
        return {**self._environ, "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": str(self.port)}

    def answer(self, path: str, token: str | None) -> tuple[HTTPStatus, bytes]:
        """Return the status and body the extension would answer to ``GET path``."""
        if not self._invoke_phase.is_set():
            return HTTPStatus.BAD_REQUEST, b"not ready: the extension answers during INVOKE only"
        address = urlsplit(path)
        secret_ids = parse_qs(address.query).get("secretId", [])
        if token != self._environ["AWS_SESSION_TOKEN"]:
            return HTTPStatus.UNAUTHORIZED, b"missing or wrong " + TOKEN_HEADER.encode()
        if address.path != "/secretsmanager/get" or len(secret_ids) != 1:
            return HTTPStatus.BAD_REQUEST, b"expected /secretsmanager/get?secretId=<id>"
        try:
            value = self._client.get_secret_value(SecretId=secret_ids[0])
        except ClientError as error:
            status = error.response["ResponseMetadata"]["HTTPStatusCode"]
            return HTTPStatus(status), str(error).encode()
        except BotoCoreError as error:  # the store could not be reached
            return HTTPStatus.BAD_GATEWAY, str(error).encode()
        value.pop("ResponseMetadata", None)
        return HTTPStatus.OK, json.dumps(value, default=str).encode()


def _handler_for(extension: SecretsExtension) -> type[QuietRequestHandler]:
    class Handler(QuietRequestHandler):
        def do_GET(self) -> None:
            status, body = extension.answer(self.path, self.headers.get(TOKEN_HEADER))
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
