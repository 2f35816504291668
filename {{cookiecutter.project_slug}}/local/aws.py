"""A local stand-in for AWS: a moto server on 127.0.0.1, and helpers to seed and inspect it.

The function talks to it through real boto3 clients and real HTTP: its environment only needs
AWS_ENDPOINT_URL pointed here, plus placeholder credentials (see `FAKE_CREDENTIALS`).
"""

import http.client
import json
import os
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import boto3

REGION = "us-east-1"

# moto accepts any credentials; boto3 needs some to sign requests. Setting them also keeps a
# developer's real credentials, if any, out of local runs.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}
# A profile named in the environment makes boto3 skip the variables above; local runs unset it.
PROFILE_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")


@contextmanager
def moto_server() -> Iterator[str]:
    """Run a moto server on 127.0.0.1, on a free port, and yield its endpoint URL.

    moto keeps its state per process: one server per process is enough and is what this
    supports.
    """
    # moto's request recorder (see `start_recording`) takes its file from the environment when
    # moto is first imported, hence the import here rather than at the top of the module.
    recording = Path(tempfile.gettempdir()) / f"moto-recording-{os.getpid()}.jsonl"
    os.environ.setdefault("MOTO_RECORDER_FILEPATH", str(recording))
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        recording.unlink(missing_ok=True)


@contextmanager
def unresponsive_endpoint() -> Iterator[str]:
    """Yield the URL of an endpoint that takes connections and never answers: a hung store.

    Nothing accepts on the listening socket, so the kernel completes each connection and every
    request waits for an answer that never comes, until the caller's read timeout.
    """
    with socket.create_server(("127.0.0.1", 0), backlog=64) as listener:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"

{%- if cookiecutter.secret_name %}


def create_secret(endpoint_url: str, name: str, value: str) -> str:
    """Create the secret ``name`` holding ``value``; return its ARN."""
    return _secrets_manager(endpoint_url).create_secret(Name=name, SecretString=value)["ARN"]


def rotate_secret(endpoint_url: str, name: str, value: str) -> None:
    """Make ``value`` the current version of the secret ``name``, as a rotation does."""
    _secrets_manager(endpoint_url).put_secret_value(SecretId=name, SecretString=value)


def stored_secret_values(endpoint_url: str, name: str) -> set[str]:
    """Every value the secret ``name`` holds in its current and previous versions (none if it
    was deleted): what no log line or outcome of the function may contain."""
    client = _secrets_manager(endpoint_url)
    try:
        versions = client.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)["Versions"]
    except client.exceptions.ResourceNotFoundException:
        return set()
    return {
        client.get_secret_value(SecretId=name, VersionId=version["VersionId"])["SecretString"]
        for version in versions
    }
{%- endif %}


{%- if cookiecutter.idempotency == "on" %}


def create_idempotency_table(endpoint_url: str, name: str) -> None:
    """Create the table idempotency.py writes to, keyed as template.yaml declares it."""
    moto_client("dynamodb", endpoint_url).create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )


{%- endif %}


def start_recording(endpoint_url: str) -> None:
    """Forget the requests recorded so far and record every request from now on."""
    _moto_api(endpoint_url, "POST", "reset-recording")
    _moto_api(endpoint_url, "POST", "start-recording")


def recorded_calls(endpoint_url: str, action: str) -> int:
    """Count the requests for ``action`` the server received since `start_recording`.

    ``action`` is the X-Amz-Target of a JSON API call, e.g. "secretsmanager.GetSecretValue"
    or "DynamoDB_20120810.PutItem".
    The count is taken by the server, so it sees every call whatever client made it.
    """
    recording = _moto_api(endpoint_url, "GET", "download-recording")
    requests = [json.loads(line) for line in recording.splitlines() if line.strip()]
    return sum(1 for request in requests if request["headers"].get("X-Amz-Target") == action)

{%- if cookiecutter.secret_name %}


def _secrets_manager(endpoint_url: str):  # noqa: ANN202 - boto3 clients have no static type
    return moto_client("secretsmanager", endpoint_url)
{%- endif %}


def moto_client(service: str, endpoint_url: str):  # noqa: ANN201 - boto3 clients have no static type
    """Return a boto3 client of ``service`` for the moto server at ``endpoint_url``."""
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def _moto_api(endpoint_url: str, method: str, operation: str) -> str:
    address = urlsplit(endpoint_url)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port)
    try:
        connection.request(method, f"/moto-api/recorder/{operation}")
        response = connection.getresponse()
        body = response.read().decode()
    finally:
        connection.close()
    if response.status != http.HTTPStatus.OK:
        raise RuntimeError(f"moto recorder {operation}: HTTP {response.status}: {body}")
    return body
