"""The Backstage software template: valid for Backstage, its form made from the answers' schema with
each trigger's questions only under that trigger, and its bake the CLI's own, hooks and all."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import answers_schema
import backstage_template
import local_extensions
from tests.environments import CACHE_DIR, REPO_ROOT, fingerprint
from tests.parsing import load_yaml

CHECKS = REPO_ROOT / "tests" / "backstage"
BAKE = REPO_ROOT / "backstage" / "bake.py"
ENTITY = load_yaml(backstage_template.TEMPLATE_PATH.read_text(encoding="utf-8"))
PAGES = ENTITY["spec"]["parameters"]
REPOSITORY = "github.com?owner=example-org&repo=csv-summary"
TRIGGERS = [
    option["const"] for page in PAGES for option in page["properties"].get("trigger", {}).get("oneOf", [])
]


@pytest.fixture(scope="session")
def backstage_checks() -> Path:
    """tests/backstage with Backstage's validators installed from its lock file (npm ci)."""
    lock = (CHECKS / "package-lock.json").read_text(encoding="utf-8")
    destination = CACHE_DIR / f"backstage-{fingerprint(lock, (CHECKS / 'validate.mjs').read_text())}"
    if not (destination / "node_modules").is_dir():
        shutil.rmtree(destination, ignore_errors=True)
        shutil.copytree(CHECKS, destination)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--quiet"], cwd=destination, check=True)  # noqa: S607
    return destination


def check(backstage_checks: Path, values: list[dict[str, Any]]) -> dict[str, list]:
    """Backstage's verdict on the entity, and the form's on each set of values."""
    completed = subprocess.run(  # noqa: S603 - node, our own script
        ["node", str(backstage_checks / "validate.mjs")],  # noqa: S607
        input=json.dumps({"entity": ENTITY, "values": values}),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


def form_values(**chosen: Any) -> dict[str, Any]:
    """What the form sends when its defaults are kept: the fields shown for the choices made."""
    values: dict[str, Any] = {}
    for page in PAGES:
        values.update(
            {name: field["default"] for name, field in page["properties"].items() if "default" in field}
        )
    values.update(chosen)
    for page in PAGES:
        for choice, dependency in page.get("dependencies", {}).items():
            (branch,) = [b for b in dependency["oneOf"] if b["properties"][choice]["const"] == values[choice]]
            for name, field in branch["properties"].items():
                if name != choice and "default" in field:
                    values.setdefault(name, field["default"])
    return {**values, "repoUrl": REPOSITORY}


def run_bake(
    answers: dict[str, Any], output_dir: Path, repository: str = REPOSITORY
) -> subprocess.CompletedProcess:
    environment = {**os.environ, "ANSWERS": json.dumps(answers), "REPOSITORY": repository}
    environment["GITHUB_OUTPUT"] = str(output_dir.parent / "github-output")
    return subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, str(BAKE), str(output_dir)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_template_file_is_up_to_date():
    assert backstage_template.TEMPLATE_PATH.read_text(encoding="utf-8") == backstage_template.render(), (
        "backstage/template.yaml is out of date: run `python backstage_template.py`"
    )


def test_the_entity_is_a_backstage_template(backstage_checks):
    assert check(backstage_checks, [])["entity"] == []


def test_the_form_asks_every_answer_once_and_each_triggers_only_under_it():
    asked: dict[str, str | None] = {}
    for page in PAGES:
        for name in page["properties"]:
            asked[name] = None
        for choice, dependency in page.get("dependencies", {}).items():
            for branch in dependency["oneOf"]:
                value = branch["properties"][choice]["const"]
                for name in set(branch["properties"]) - {choice}:
                    assert name not in asked, f"{name} asked twice"
                    asked[name] = f"{choice}={value}"
    schema = json.loads(answers_schema.SCHEMA_PATH.read_text(encoding="utf-8"))
    assert set(asked) - {"repoUrl"} == set(schema["properties"])
    conditions = {name: condition for name, condition in asked.items() if condition}
    assert conditions == {name: f"{c}={v}" for name, (c, v) in local_extensions.USED_ONLY_WITH.items()}


def test_the_forms_defaults_pass_and_bad_answers_are_refused(backstage_checks):
    good = [form_values(trigger=trigger) for trigger in TRIGGERS] + [form_values(cold_start="provisioned")]
    bad = [
        {**form_values(), "memory_size": 64},
        {**form_values(), "trigger": "kafka"},
        {**form_values(), "project_slug": "Csv_Summary"},
        {**form_values(), "project_name": "two\nlines"},
        {**form_values(trigger="schedule"), "schedule_expression": "every 5 minutes"},
        {key: value for key, value in form_values(trigger="sqs").items() if key != "batch_size"},
    ]
    verdicts = check(backstage_checks, good + bad)["values"]
    assert verdicts[: len(good)] == [[]] * len(good)
    assert all(verdicts[len(good) :]), list(zip(bad, verdicts[len(good) :], strict=True))


def test_each_answer_a_schema_refuses_the_form_refuses(backstage_checks):
    schema = json.loads(answers_schema.SCHEMA_PATH.read_text(encoding="utf-8"))
    # A value of the right type the schema refuses, for every constrained free-text or number answer.
    refused = {
        name: ("x" * (rule["maxLength"] + 1)) if "maxLength" in rule else "\u0007"
        for name, rule in schema["properties"].items()
        if rule.get("type") == "string" and ("maxLength" in rule or "pattern" in rule)
    }
    refused.update(
        {
            name: next(b for b in rule["anyOf"] if b.get("type") == "integer")["maximum"] + 1
            for name, rule in schema["properties"].items()
            if any(b.get("type") == "integer" for b in rule.get("anyOf", []))
        }
    )
    cases = []
    for name, value in refused.items():
        condition = local_extensions.USED_ONLY_WITH.get(name)
        values = form_values(**dict([condition])) if condition else form_values()
        cases.append({**values, name: value})
    verdicts = check(backstage_checks, cases)["values"]
    assert all(verdicts), [name for name, verdict in zip(refused, verdicts, strict=True) if not verdict]


@pytest.mark.parametrize(
    "chosen", [{"trigger": "sqs"}, {"trigger": "s3", "task": "blank"}, {"trigger": "schedule"}]
)
def test_the_bake_is_the_clis_with_the_same_answers(bake, tmp_path, chosen):
    values = form_values(**chosen, project_name="Csv Summary")
    completed = run_bake(values, tmp_path / "baked")
    assert completed.returncode == 0, completed.stderr
    (project,) = (tmp_path / "baked").iterdir()
    answers = {name: str(value) for name, value in values.items() if name != "repoUrl"}
    expected = bake(answers)
    comparison = filecmp.dircmp(expected, project, ignore=[])
    assert differences(comparison) == []
    outputs = (tmp_path / "github-output").read_text(encoding="utf-8").splitlines()
    assert outputs == [f"project={project}", "owner=example-org", "repo=csv-summary"]


def differences(comparison: filecmp.dircmp) -> list[str]:
    """Files only on one side or different, through every subdirectory."""
    found = [*comparison.left_only, *comparison.right_only]
    _, mismatch, errors = filecmp.cmpfiles(
        comparison.left, comparison.right, comparison.common_files, shallow=False
    )
    found += mismatch + errors
    for sub in comparison.subdirs.values():
        found += differences(sub)
    return found


def test_a_refused_answer_fails_the_bake_with_the_hooks_message_and_writes_nothing(tmp_path):
    completed = run_bake({**form_values(), "memory_size": 64, "aws_region": "moon-1"}, tmp_path / "baked")
    assert completed.returncode != 0
    assert "memory_size" in completed.stderr + completed.stdout
    assert "aws_region" in completed.stderr + completed.stdout
    assert not any((tmp_path / "baked").iterdir())
    assert not (tmp_path / "github-output").exists()


@pytest.mark.parametrize(
    ("answers", "repository", "message"),
    [
        ({"memmory_size": "512"}, REPOSITORY, "not answers of this template: memmory_size"),
        ({"_extensions": "[]"}, REPOSITORY, "not answers of this template: _extensions"),
        ({"memory_size": 512.5}, REPOSITORY, "neither text nor a whole number"),
        ({"tracing": True}, REPOSITORY, "neither text nor a whole number"),
        ({}, "github.com?owner=example-org", "REPOSITORY"),
        ({}, "gitlab.com?owner=example-org&repo=x", "REPOSITORY"),
        ({}, "github.com?owner=-org&repo=x", "REPOSITORY"),
        ({}, "github.com?owner=org&repo=..", "REPOSITORY"),
        ({}, "github.com?owner=org&repo=a;rm -rf", "REPOSITORY"),
    ],
)
def test_inputs_that_are_no_answers_are_refused_before_baking(tmp_path, answers, repository, message):
    completed = run_bake(answers, tmp_path / "baked", repository)
    assert completed.returncode == 2
    assert message in completed.stderr
    assert not (tmp_path / "baked").exists()


def test_the_bake_workflow_pins_the_cookiecutter_the_tests_use():
    def pin(path: Path) -> str:
        (line,) = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("cookiecutter==")
        ]
        return line

    assert pin(REPO_ROOT / "backstage" / "requirements.txt") == pin(REPO_ROOT / "requirements-test.txt")
