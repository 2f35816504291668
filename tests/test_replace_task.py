"""A user's own task in a blank bake, written by editing only the files its README lists: a task
that writes each message to a DynamoDB table the stack declares, with the README's own
template.yaml blocks. The machinery is left as it was baked, and the project's lint, tests,
`make run`, fault tests and template checks pass."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.environments import make

PACKAGE = "csv_summary"  # sorts before "local", the local tooling's package

TASK = '''"""The function's one task: write each message to the results table, one item per message id."""

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

TASK_WORLD = '''"""The task's world on this machine: the results table, in moto."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from local.aws import moto_client

TABLE = "results"


@dataclass(frozen=True)
class TaskWorld:
    """The task's settings, pointed at its local stand-ins, and a report of what they saw."""

    environment: dict[str, str]
    report: Callable[[], list[str]]


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

TEST_TASK = '''import asyncio
import uuid

import pytest

from PACKAGE.message import Message
from PACKAGE.settings import Environment, SettingsError
from PACKAGE.task import Task, TaskSettings

from local.aws import FAKE_CREDENTIALS, PROFILE_VARIABLES, moto_client
from local.task_world import create_results_table


@pytest.fixture
def table(aws, monkeypatch) -> str:
    """A new results table in moto, and AWS pointed at moto."""
    name = f"results-{uuid.uuid4()}"
    create_results_table(aws, name)
    for variable in PROFILE_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    for variable, value in {**FAKE_CREDENTIALS, "AWS_ENDPOINT_URL": aws}.items():
        monkeypatch.setenv(variable, value)
    return name


def run(table: str, *messages: Message) -> None:
    async def main() -> None:
        task = Task(TaskSettings.read(Environment({"RESULTS_TABLE": table})))
        try:
            for message in messages:
                await task.run(message)
        finally:
            await task.close()

    asyncio.run(main())


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


def edit_files_listed(readme: str) -> set[str]:
    """The files the README's "Your own task" table says a user edits."""
    section = readme.split("## Your own task", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {path for row in rows for path in re.findall(r"`([^`]+\.[a-z]+)`", row.split(" | ")[0])}


def yaml_blocks(readme: str) -> list[str]:
    """The README's template.yaml blocks for a task that writes to a resource it declares."""
    section = readme.split("### A task that writes to a resource the stack declares", 1)[1]
    return re.findall(r"```yaml\n(.*?)```", section.split("\n## ", 1)[0], flags=re.DOTALL)


def digests(project: Path) -> dict[str, str]:
    return {
        str(path.relative_to(project)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in project.rglob("*")
        if path.is_file() and not {"__pycache__", ".pytest_cache", ".ruff_cache"} & set(path.parts)
    }


@pytest.mark.parametrize("trigger", ["sqs", "sns"])
def test_a_task_of_ones_own_replaces_the_blank_one_through_the_listed_files(
    bake, project_env, tools_env, tmp_path, trigger
):
    project = tmp_path / "csv-summary"
    shutil.copytree(bake({"task": "blank", "project_name": "Csv Summary", "trigger": trigger}), project)
    before = digests(project)
    readme = (project / "README.md").read_text(encoding="utf-8")
    listed = edit_files_listed(readme)
    resources, variable = yaml_blocks(readme)

    (project / "src" / PACKAGE / "task.py").write_text(TASK, encoding="utf-8")
    (project / "local" / "task_world.py").write_text(TASK_WORLD, encoding="utf-8")
    (project / "tests" / "unit" / "test_task.py").write_text(
        TEST_TASK.replace("PACKAGE", PACKAGE), encoding="utf-8"
    )
    template = (project / "template.yaml").read_text(encoding="utf-8")
    template = template.replace("\nOutputs:\n", f"\n{resources}\nOutputs:\n", 1)
    template = template.replace("        Variables:\n", f"        Variables:\n{variable}", 1)
    (project / "template.yaml").write_text(template, encoding="utf-8")
    env = json.loads((project / "env.json").read_text(encoding="utf-8"))
    env["Parameters"]["RESULTS_TABLE"] = "results"
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
    # Every message of the sample event became an item: this task writes any body, even the
    # SQS sample's third, which is not JSON.
    expected = 3 if trigger == "sqs" else 1
    assert f"The results table holds {expected} item(s)." in run.stdout, run.stdout
    make(project, "test-faults", f"VENV={project_env}")
    make(project, "validate", f"TOOLS_VENV={tools_env}")
