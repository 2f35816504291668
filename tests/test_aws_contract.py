"""docs/aws-contract.md: every AWS behaviour the project relies on has a source, an enforcer and
a test, and each test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.parsing import load_yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTRACT = REPO_ROOT / "docs" / "aws-contract.md"
PROJECT = REPO_ROOT / "{{cookiecutter.project_slug}}"
COLUMNS = ["#", "AWS behaviour", "source", "relied on in", "enforced by", "proven by"]
# A test named in the contract: "project: <path>::<name>" or "template: <path>::<name>".
TEST_REFERENCE = re.compile(r"(project|template): `([^`:]+)::(\w+)`")


def rows() -> list[dict[str, str]]:
    lines = [line for line in CONTRACT.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == COLUMNS
    return [
        dict(zip(COLUMNS, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
        for line in lines[2:]
    ]


def test_the_contract_has_at_least_30_numbered_rows():
    numbers = [int(row["#"]) for row in rows()]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= 30


@pytest.mark.parametrize("row", rows(), ids=lambda row: row["#"])
def test_every_row_has_a_source_an_enforcer_and_a_test(row):
    assert "https://" in row["source"] or "not documented" in row["AWS behaviour"]
    assert row["relied on in"]
    assert row["enforced by"]
    assert TEST_REFERENCE.search(row["proven by"]), row["proven by"]


def defined_tests(path: Path) -> set[str]:
    """The test functions defined in ``path``, with each alternative of a Jinja expression in a name."""
    names: set[str] = set()
    for prefix, expression, suffix in re.findall(
        r"^(?:async )?def (test_\w*?)(?:\{\{(.*?)\}\})?(\w*)\(", path.read_text(encoding="utf-8"), re.M
    ):
        alternatives = re.findall(r'"(\w*)"', expression) or [""]
        names.update(f"{prefix}{alternative}{suffix}" for alternative in alternatives)
    return names


@pytest.mark.parametrize("row", rows(), ids=lambda row: row["#"])
def test_every_test_the_contract_names_exists(row):
    for where, path, name in TEST_REFERENCE.findall(row["proven by"]):
        root = PROJECT if where == "project" else REPO_ROOT
        assert name in defined_tests(root / path), f"{where}: {path}::{name} does not exist"


def test_the_power_tuning_recipe_tunes_with_text_logs_and_restores_the_templates(bake):
    # Power Tuning's executor fails on JSON reports without initDurationMs (its issue 305), so
    # the recipe switches to text logs, then restores exactly what template.yaml sets.
    project = bake({})
    readme = (project / "README.md").read_text(encoding="utf-8")
    template = load_yaml((project / "template.yaml").read_text(encoding="utf-8"))
    logging_config = template["Resources"]["Function"]["Properties"]["LoggingConfig"]
    restored = ",".join(
        f"{key}={logging_config[key]}" for key in ("LogFormat", "ApplicationLogLevel", "SystemLogLevel")
    )

    configs = re.findall(r'--logging-config "([^"]+)"', readme)
    assert configs == ["LogFormat=Text,LogGroup=$LOG_GROUP", f"{restored},LogGroup=$LOG_GROUP"]
    assert logging_config["LogGroup"] == {"Ref": "FunctionLogGroup"}
    assert "LOG_GROUP=$(stack_output FunctionLogGroupName)" in readme
