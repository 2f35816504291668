"""A user's own task in a blank bake, written by editing only the files its README lists, with
the README's own template.yaml blocks for each of its worked resources: a task that writes each
message to a DynamoDB table, and a scheduled task that writes each run to an S3 bucket under its
scheduled hour. The machinery is left as it was baked, and the project's lint, tests, `make run`,
fault tests and template checks pass."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.environments import make

PACKAGE = "csv_summary"  # sorts before "local", the local tooling's package

# What both worlds and both tests below share, as a user's files would.
TASK_WORLD_CLASS = '''

@dataclass(frozen=True)
class TaskWorld:
    """The task's settings, pointed at its local stand-ins, and a report of what they saw."""

    environment: dict[str, str]
    report: Callable[[], list[str]]
'''
RUN_TASK = '''def run(resource: str, *messages: Message) -> None:
    """Run a task writing to ``resource`` on ``messages``, one after the other."""

    async def main() -> None:
        task = Task(TaskSettings.read(Environment({"VARIABLE": resource})))
        try:
            for message in messages:
                await task.run(message)
        finally:
            await task.close()

    asyncio.run(main())
'''

TABLE_TASK = '''"""The function's one task: write each message to the results table, one item per id."""

import asyncio
from dataclasses import dataclass
from typing import Self

import boto3

from .message import Message
from .settings import Environment


@dataclass(frozen=True, kw_only=True)
class TaskSettings:
    """The task's configuration.

    Attributes:
        results_table: RESULTS_TABLE, the DynamoDB table each message is written to.
    """

    results_table: str

    @classmethod
    def read(cls, environment: Environment) -> Self:
        """Read the settings from ``environment``; its `check` reports any problem."""
        return cls(
            results_table=environment.text("RESULTS_TABLE", expected="a DynamoDB table name")
        )


class Task:
    """Writes messages to the results table; built once at init."""

    def __init__(self, settings: TaskSettings) -> None:
        """Create the DynamoDB client once, for every invocation."""
        self._table = settings.results_table
        self._client = boto3.client("dynamodb")

    async def run(self, message: Message) -> None:
        """Put the message in the table under its id: a redelivery writes the same item again."""
        item = {"id": {"S": message.id}, "body": {"S": message.body}}
        # boto3 blocks: in a thread, the loop keeps serving the batch's other messages.
        await asyncio.to_thread(self._client.put_item, TableName=self._table, Item=item)

    async def close(self) -> None:
        """Nothing to close: the client's pool goes with the process."""
'''

TABLE_WORLD = '''"""The task's world on this machine: the results table, in moto."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from local.aws import moto_client

TABLE = "results"
{TASK_WORLD_CLASS}

def create_results_table(endpoint_url: str, name: str) -> None:
    """Create the results table, as template.yaml declares it, in moto at ``endpoint_url``."""
    moto_client("dynamodb", endpoint_url).create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )


@contextmanager
def task_world(endpoint_url: str) -> Iterator[TaskWorld]:
    """Create the results table; report its items after the run."""
    create_results_table(endpoint_url, TABLE)

    def report() -> list[str]:
        items = moto_client("dynamodb", endpoint_url).scan(TableName=TABLE)["Items"]
        return [f"The results table holds {len(items)} item(s)."]

    yield TaskWorld(environment={"RESULTS_TABLE": TABLE}, report=report)
'''

TEST_TABLE_TASK = '''import asyncio
import uuid

import pytest

from PACKAGE.message import Message
from PACKAGE.settings import Environment, SettingsError
from PACKAGE.task import Task, TaskSettings

from local.aws import moto_client
from local.task_world import create_results_table


@pytest.fixture
def table(aws_environment) -> str:
    """A new results table in moto, where the task's client goes."""
    name = f"results-{uuid.uuid4()}"
    create_results_table(aws_environment, name)
    return name


{RUN_TASK}

def test_each_message_is_one_item_however_often_it_comes(aws, table):
    first, second = Message(id="m-1", body="a"), Message(id="m-2", body="b")

    run(table, first, second, first)

    items = moto_client("dynamodb", aws).scan(TableName=table)["Items"]
    assert sorted((i["id"]["S"], i["body"]["S"]) for i in items) == [("m-1", "a"), ("m-2", "b")]


def test_the_table_must_be_named():
    environment = Environment({})
    TaskSettings.read(environment)

    with pytest.raises(SettingsError, match="RESULTS_TABLE is not set"):
        environment.check()
'''

BUCKET_TASK = '''"""The function's one task: keep each run's input in the bucket, under its scheduled hour."""

import asyncio
from dataclasses import dataclass
from typing import Self

import boto3

from .message import Message
from .settings import Environment


@dataclass(frozen=True, kw_only=True)
class TaskSettings:
    """The task's configuration.

    Attributes:
        results_bucket: RESULTS_BUCKET, the S3 bucket each run is written to.
    """

    results_bucket: str

    @classmethod
    def read(cls, environment: Environment) -> Self:
        """Read the settings from ``environment``; its `check` reports any problem."""
        return cls(results_bucket=environment.text("RESULTS_BUCKET", expected="an S3 bucket name"))


class Task:
    """Writes each run to the results bucket; built once at init."""

    def __init__(self, settings: TaskSettings) -> None:
        """Create the S3 client once, for every invocation."""
        self._bucket = settings.results_bucket
        self._client = boto3.client("s3")

    async def run(self, message: Message) -> None:
        """Write the run under its scheduled hour: every attempt of a run writes the same key."""
        if message.smoke_test:
            return  # a deployed stack's smoke test: no hour of real data to write
        key = f"rates/{message.time:%Y/%m/%d/%H}.json"
        body = message.body.encode()
        # boto3 blocks: in a thread, the loop stays free.
        await asyncio.to_thread(self._client.put_object, Bucket=self._bucket, Key=key, Body=body)

    async def close(self) -> None:
        """Nothing to close: the client's pool goes with the process."""
'''

BUCKET_WORLD = '''"""The task's world on this machine: the results bucket, in moto."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from local.aws import moto_client

BUCKET = "results"
{TASK_WORLD_CLASS}

def create_results_bucket(endpoint_url: str, name: str) -> None:
    """Create the results bucket in moto at ``endpoint_url``."""
    moto_client("s3", endpoint_url).create_bucket(Bucket=name)


def keys(endpoint_url: str, bucket: str) -> list[str]:
    """The keys of the objects in ``bucket``, in order."""
    listed = moto_client("s3", endpoint_url).list_objects_v2(Bucket=bucket)
    return [item["Key"] for item in listed.get("Contents", [])]


@contextmanager
def task_world(endpoint_url: str) -> Iterator[TaskWorld]:
    """Create the results bucket; report its keys after the run."""
    create_results_bucket(endpoint_url, BUCKET)

    def report() -> list[str]:
        return [f"The results bucket holds {', '.join(keys(endpoint_url, BUCKET)) or 'nothing'}."]

    yield TaskWorld(environment={"RESULTS_BUCKET": BUCKET}, report=report)
'''

TEST_BUCKET_TASK = '''import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from PACKAGE.message import Message
from PACKAGE.settings import Environment, SettingsError
from PACKAGE.task import Task, TaskSettings

from local.task_world import create_results_bucket, keys

EIGHT_OCLOCK = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def bucket(aws_environment) -> str:
    """A new results bucket in moto, where the task's client goes."""
    name = f"results-{uuid.uuid4()}"
    create_results_bucket(aws_environment, name)
    return name


{RUN_TASK}

def test_each_run_is_one_object_under_its_scheduled_hour(aws, bucket):
    eight = Message(id="run-8", body="{}", time=EIGHT_OCLOCK)
    nine = Message(id="run-9", body="{}", time=EIGHT_OCLOCK.replace(hour=9))

    run(bucket, eight, nine, eight)  # the eight o'clock run, attempted again

    assert keys(aws, bucket) == ["rates/2026/11/23/08.json", "rates/2026/11/23/09.json"]


def test_the_smoke_tests_runs_write_nothing(aws, bucket):
    run(bucket, Message(id="run", body="{}", time=EIGHT_OCLOCK, smoke_test=True))

    assert keys(aws, bucket) == []


def test_the_bucket_must_be_named():
    environment = Environment({})
    TaskSettings.read(environment)

    with pytest.raises(SettingsError, match="RESULTS_BUCKET is not set"):
        environment.check()
'''


@dataclass(frozen=True)
class OwnTask:
    """A task of one's own, and the README's worked resource it writes to."""

    heading: str  # of the README's worked example whose template.yaml blocks it takes
    variable: str
    task: str
    world: str
    tests: str
    run_reports: str  # what `make run` prints of the resource afterwards


def own_task(heading: str, variable: str, task: str, world: str, tests: str, run_reports: str) -> OwnTask:
    """An OwnTask whose files have their shared parts filled in."""
    return OwnTask(
        heading,
        variable,
        task,
        world.replace("{TASK_WORLD_CLASS}", TASK_WORLD_CLASS),
        tests.replace("{RUN_TASK}", RUN_TASK.replace("VARIABLE", variable)),
        run_reports,
    )


TABLE_WRITER = own_task("A DynamoDB table", "RESULTS_TABLE", TABLE_TASK, TABLE_WORLD, TEST_TABLE_TASK, "")
HOURLY_BUCKET_WRITER = own_task(
    "An S3 bucket",
    "RESULTS_BUCKET",
    BUCKET_TASK,
    BUCKET_WORLD,
    TEST_BUCKET_TASK,
    "The results bucket holds rates/2026/11/23/08.json.",
)


def edit_files_listed(readme: str) -> set[str]:
    """The files the README's "Your own task" table says a user edits."""
    section = readme.split("## Your own task", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {path for row in rows for path in re.findall(r"`([^`]+\.[a-z]+)`", row.split(" | ")[0])}


def yaml_blocks(readme: str, heading: str) -> list[str]:
    """The README's template.yaml blocks of one worked example of a resource the task writes to."""
    section = readme.split(f"\n#### {heading}\n", 1)[1]
    return re.findall(r"```yaml\n(.*?)```", re.split(r"\n##", section, maxsplit=1)[0], flags=re.DOTALL)


def digests(project: Path) -> dict[str, str]:
    return {
        str(path.relative_to(project)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in project.rglob("*")
        if path.is_file() and not {"__pycache__", ".pytest_cache", ".ruff_cache"} & set(path.parts)
    }


@pytest.mark.parametrize(
    ("trigger", "own"),
    [("sqs", TABLE_WRITER), ("sns", TABLE_WRITER), ("schedule", HOURLY_BUCKET_WRITER)],
    ids=["sqs-table", "sns-table", "schedule-bucket"],
)
def test_a_task_of_ones_own_replaces_the_blank_one_through_the_listed_files(
    bake, project_env, tools_env, scan_env, tmp_path, trigger, own
):
    project = tmp_path / "csv-summary"
    shutil.copytree(bake({"task": "blank", "project_name": "Csv Summary", "trigger": trigger}), project)
    before = digests(project)
    readme = (project / "README.md").read_text(encoding="utf-8")
    listed = edit_files_listed(readme)
    resources, variable = yaml_blocks(readme, own.heading)

    (project / "src" / PACKAGE / "task.py").write_text(own.task, encoding="utf-8")
    (project / "local" / "task_world.py").write_text(own.world, encoding="utf-8")
    (project / "tests" / "unit" / "test_task.py").write_text(
        own.tests.replace("PACKAGE", PACKAGE), encoding="utf-8"
    )
    template = (project / "template.yaml").read_text(encoding="utf-8")
    template = template.replace("\nOutputs:\n", f"\n{resources}\nOutputs:\n", 1)
    template = template.replace("        Variables:\n", f"        Variables:\n{variable}", 1)
    (project / "template.yaml").write_text(template, encoding="utf-8")
    env = json.loads((project / "env.json").read_text(encoding="utf-8"))
    env["Parameters"][own.variable] = "results"
    (project / "env.json").write_text(json.dumps(env, indent=2) + "\n", encoding="utf-8")

    after = digests(project)
    changed = {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}
    assert changed == {
        f"src/{PACKAGE}/task.py",
        "local/task_world.py",
        "tests/unit/test_task.py",
        "template.yaml",
        "env.json",
    }
    assert changed <= listed, "a file the README does not list had to change"
    assert "tests/runtime/test_task_faults.py" not in before  # a blank task has no target faults

    make(project, "lint", f"VENV={project_env}")
    tested = make(project, "test", f"VENV={project_env}")
    assert re.search(r"\b\d+ passed\b", tested.stdout)
    assert " failed" not in tested.stdout
    run = make(project, "run", f"VENV={project_env}")
    # Every message of the sample event was written: this task writes any body, even the SQS
    # sample's third, which is not JSON.
    expected = own.run_reports or f"The results table holds {3 if trigger == 'sqs' else 1} item(s)."
    assert expected in run.stdout, run.stdout
    make(project, "test-faults", f"VENV={project_env}")
    make(project, "validate", f"TOOLS_VENV={tools_env}")
    if own is HOURLY_BUCKET_WRITER:  # the README's hardened bucket passes the security scan
        make(project, "scan", f"SCAN_VENV={scan_env}")
