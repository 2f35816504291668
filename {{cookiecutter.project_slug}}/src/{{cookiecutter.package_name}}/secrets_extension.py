"""Read a secret through the AWS Parameters and Secrets Lambda Extension, without an AWS SDK.

The extension is a Lambda layer (template.yaml adds it when the SecretsExtensionLayerArn
parameter is set) that runs beside the function in its sandbox and answers on localhost; it
calls Secrets Manager with the function's role, over its own TLS connection. Nothing else in
this function calls AWS, so reading the secret this way spares every cold start the signing
client and its TLS context (see README: "Dependencies and their cold-start cost"): one request
on localhost is all it makes. Without the layer, aws_json.py reads the secret (`secret_reader`).

The extension's own cache is off (template.yaml): `SecretCache` keeps the value for the TTL and
reads it again when the task's service refuses it, and that read must reach Secrets Manager.
"""

import functools
import http.client
import json
import os
from collections.abc import Callable
from urllib.parse import quote

# template.yaml sets the extension's port here exactly when the extension's layer is attached.
PORT_VARIABLE = "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"
# The extension's call to Secrets Manager happens within this request, so it must fit in here
# (template.yaml gives it SECRETS_MANAGER_TIMEOUT_MILLIS=5000); beyond that, a read that hangs
# would hold the invocation until its timeout.
TIMEOUT_SECONDS = 10.0


class SecretsExtensionError(RuntimeError):
    """The extension did not return the secret (it could not read it, or is not running)."""


def secret_reader(secret_id: str) -> Callable[[], str]:
    """Return a function that reads the SecretString of ``secret_id`` (a name or ARN).

    It asks the extension when its layer is attached (PORT_VARIABLE is set), and otherwise
    Secrets Manager through aws_json.py, which is imported only then: its TLS context is the
    cost the extension saves.
    """
    if PORT_VARIABLE in os.environ:
        return functools.partial(read_secret_string, secret_id)
    from .aws_json import SECRETS_MANAGER, AwsJsonClient  # here, not at the top: see above

    # The client finds the Region and credentials in the environment (and AWS_ENDPOINT_URL, if
    # set, which is how tests and `make run` reach a local moto server).
    client = AwsJsonClient(SECRETS_MANAGER)
    return lambda: client.call("GetSecretValue", {"SecretId": secret_id})["SecretString"]


def read_secret_string(secret_id: str) -> str:
    """Return the SecretString of ``secret_id`` (a name or ARN), blocking.

    The extension only answers requests that carry the sandbox's session token, which Lambda
    sets in AWS_SESSION_TOKEN: code that can read the environment can read the secret, and a
    request from outside the sandbox cannot.

    Raises:
        SecretsExtensionError: If the extension answers anything but 200; the message gives its
            status and the secret's id, never a value.
        OSError: If the extension cannot be reached.
    """
    port = int(os.environ[PORT_VARIABLE])
    connection = http.client.HTTPConnection("localhost", port, timeout=TIMEOUT_SECONDS)
    try:
        connection.request(
            "GET",
            f"/secretsmanager/get?secretId={quote(secret_id, safe='')}",
            headers={"X-Aws-Parameters-Secrets-Token": os.environ["AWS_SESSION_TOKEN"]},
        )
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != http.HTTPStatus.OK:
        raise SecretsExtensionError(
            f"the secrets extension answered {response.status} for secret {secret_id}"
        )
    return json.loads(body)["SecretString"]
