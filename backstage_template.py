"""backstage/template.yaml, a Backstage software template for this template, made from the answers' schema.

Backstage's own cookiecutter action cannot run this template as the CLI does: it writes its own
cookiecutter.json above a copy of the template, so hooks/ is not where cookiecutter looks, the
answers are never checked and the options' files are never pruned. So the Backstage template only
collects the answers, in a form made from answers.schema.json with each trigger's questions shown
only for that trigger, and dispatches .github/workflows/bake.yml in this repository, which runs the
real CLI (backstage/bake.py), publishes the project and registers it in the catalog. Run
``python backstage_template.py`` to write the file again; tests/test_backstage.py checks it is up
to date and valid against Backstage's published schema.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

import answers_schema
import lambda_task_extensions

TEMPLATE_PATH = answers_schema.ROOT / "backstage" / "template.yaml"
# The repository that holds this template: a platform team that copies the template sets its own.
TEMPLATE_REPOSITORY = "example-org/cookiecutter-lambda-task"
# What a catalog user gets unless the form says otherwise: a catalog entry, so the project can be
# registered.
FORM_DEFAULTS = {"catalog_entry": "backstage"}
# The owner is picked from the catalog's groups and users, and must be: a placeholder would be
# registered as the owner.
PICKED = {
    "catalog_owner": {"ui:field": "OwnerPicker", "ui:options": {"catalogFilter": {"kind": ["Group", "User"]}}}
}
# Answers whose default cookiecutter derives from other answers: left empty, they are derived the
# same way (backstage/bake.py leaves them out).
DERIVED = {
    "project_slug": "Left empty, it is made from the project name.",
    "package_name": "Left empty, it is made from the project slug.",
    "description": "Left empty, it is the task's own.",
    "secret_name": (
        "Left untouched, it is the task's own: <project slug>/target-api-key for the worked"
        " example, none for blank. Typed and then cleared, there is no secret."
    ),
}
# Answers whose emptiness means something ("no secret", "any key"): the form sends "" for a
# cleared field (react-jsonschema-form's ui:emptyValue) instead of leaving the answer out, which
# would give cookiecutter's default.
EMPTY_IS_AN_ANSWER = frozenset({"secret_name", "s3_prefix"})
PAGES = {
    "The project": ["project_name", "project_slug", "package_name", "task", "description"],
    "The owner": ["author_name", "author_email"],
    "The trigger": [
        "trigger",
        "batch_size",
        "max_receive_count",
        "sqs_maximum_concurrency",
        "schedule_expression",
        "event_pattern",
        "s3_prefix",
        "s3_suffix",
    ],
    "The function": [
        "python_version",
        "architecture",
        "aws_region",
        "memory_size",
        "timeout",
        "secret_name",
        "secret_ttl_seconds",
        "env_vars",
        "idempotency",
        "tracing",
    ],
    "Operations": [
        "cold_start",
        "provisioned_concurrency",
        "reserved_concurrency",
        "log_retention_days",
        "alarm_email",
        "catalog_entry",
        "catalog_owner",
    ],
}


def form_field(name: str, rule: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """One answer's form field: what a form sends, and the hook accepts, of the schema's rule."""
    field: dict[str, Any] = {"title": rule["title"]}
    branches = rule.get("anyOf", [])
    if "enum" in rule:
        # The form offers each choice once, as cookiecutter writes it, with the prompt's words.
        choices = [choice for choice in rule["enum"] if isinstance(choice, str)]
        field["type"] = "string"
        field["oneOf"] = [{"const": choice, "title": labels.get(choice, choice)} for choice in choices]
    elif number := next((branch for branch in branches if branch.get("type") == "integer"), None):
        field.update(number)
    elif text := next((branch for branch in branches if branch.get("type") == "string"), None):
        field.update(text)  # a name that may be empty: empty is left out, as derived or none
    else:
        field.update({key: rule[key] for key in ("type", "minLength", "maxLength", "pattern") if key in rule})
    if "not" in rule and field.get("type") == "string":
        field["not"] = dict(rule["not"])  # a copy: YAML would write a shared one as an alias
    if name in EMPTY_IS_AN_ANSWER:
        field["ui:emptyValue"] = ""
        if "pattern" in field:
            field["pattern"] = f"^$|{field['pattern']}"
    if name in DERIVED:
        field["description"] = DERIVED[name]
    elif "description" in rule:
        field["description"] = rule["description"][0].upper() + rule["description"][1:] + "."
    default = FORM_DEFAULTS.get(name, rule.get("default"))
    if name in PICKED:
        field.update(PICKED[name])
    elif default is not None and default != "":
        field["default"] = default
    return field


def required(name: str, fields: dict[str, dict[str, Any]]) -> bool:
    """A field the form must send: one with a default (unless empty is an answer of its own), or
    one picked from the catalog."""
    return ("default" in fields[name] and name not in EMPTY_IS_AN_ANSWER) or name in PICKED


def page(title: str, names: list[str], fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A form page; an answer one choice alone uses appears only once that choice is made."""
    conditional: dict[str, dict[str, list[str]]] = {}
    for name in names:
        if name in lambda_task_extensions.USED_ONLY_WITH:
            choice, value = lambda_task_extensions.USED_ONLY_WITH[name]
            conditional.setdefault(choice, {}).setdefault(value, []).append(name)
    shown = [name for name in names if name not in lambda_task_extensions.USED_ONLY_WITH]
    schema: dict[str, Any] = {
        "title": title,
        "required": [name for name in shown if required(name, fields)],
        "properties": {name: fields[name] for name in shown},
    }
    if conditional:
        # react-jsonschema-form's dependencies: one branch per value of the choice, each adding the
        # fields that value uses. Every value needs a branch, even one that adds none.
        schema["dependencies"] = {
            choice: {
                "oneOf": [
                    {
                        "properties": {
                            choice: {"const": value},
                            **{name: fields[name] for name in conditional[choice].get(value, [])},
                        },
                        "required": [
                            name for name in conditional[choice].get(value, []) if required(name, fields)
                        ],
                    }
                    for value in (option["const"] for option in fields[choice]["oneOf"])
                ]
            }
            for choice in conditional
        }
    return schema


def choice_labels(prompts: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The words cookiecutter's prompts give each choice."""
    return {
        name: {choice: label for choice, label in prompt.items() if choice != "__prompt__"}
        for name, prompt in prompts.items()
        if isinstance(prompt, dict)
    }


def template_entity() -> dict[str, Any]:
    """The Backstage Template entity."""
    schema = answers_schema.answers_schema()
    prompts = json.loads((answers_schema.ROOT / "cookiecutter.json").read_text(encoding="utf-8"))[
        "__prompts__"
    ]
    labels = choice_labels(prompts)
    fields = {
        name: form_field(name, rule, labels.get(name, {})) for name, rule in schema["properties"].items()
    }
    pages = [page(title, names, fields) for title, names in PAGES.items()]
    owner, name = TEMPLATE_REPOSITORY.split("/")
    pages.append(
        {
            "title": "Where to publish",
            "required": ["repoUrl"],
            "properties": {
                "repoUrl": {
                    "title": "Repository",
                    "description": "A new GitHub repository for the project.",
                    "type": "string",
                    "ui:field": "RepoUrlPicker",
                    # bake.yml creates repositories only where the template's own repository is.
                    "ui:options": {"allowedHosts": ["github.com"], "allowedOwners": [owner]},
                }
            },
        }
    )
    new_repository = (
        "https://github.com/${{ (parameters.repoUrl | parseRepoUrl).owner }}"
        "/${{ (parameters.repoUrl | parseRepoUrl).repo }}"
    )
    return {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {
            "name": "lambda-task",
            "title": "One-task AWS Lambda function (Python)",
            "description": (
                "A production-grade Python Lambda function for one task: SAM, a trigger with its"
                " dead-letter queue, cached secrets, tests under faults and a CI/CD pipeline."
            ),
            "tags": ["python", "aws", "lambda", "serverless", "sam"],
            "annotations": {"github.com/project-slug": TEMPLATE_REPOSITORY},
        },
        "spec": {
            "type": "service",
            "parameters": pages,
            "steps": [
                {
                    "id": "bake",
                    "name": "Bake with the template's own checks, publish and register",
                    "action": "github:actions:dispatch",
                    "input": {
                        "repoUrl": f"github.com?owner={owner}&repo={name}",
                        "workflowId": "bake.yml",
                        "branchOrTagName": "main",
                        "workflowInputs": {
                            "answers": "${{ parameters | dump }}",
                            "repository": "${{ parameters.repoUrl }}",
                        },
                        # The dispatch returns once the run is queued: link the run, which shows
                        # whether the hook took the answers.
                        "returnWorkflowRunDetails": True,
                    },
                }
            ],
            "output": {
                "links": [
                    {
                        "title": "The bake: it publishes the project, or says which answers it refused",
                        "url": "${{ steps.bake.output.workflowRunHtmlUrl }}",
                    },
                    {"title": "The new repository, once the bake has run", "url": new_repository},
                ]
            },
        },
    }


HEADER = """\
# Made by backstage_template.py from answers.schema.json; run `python backstage_template.py` to
# write it again. Set TEMPLATE_REPOSITORY there to the repository that holds this template (the
# bake workflow runs in it), then register this file in Backstage's catalog.
"""


def render() -> str:
    """The entity as the committed file holds it."""
    return HEADER + yaml.safe_dump(template_entity(), sort_keys=False, allow_unicode=True, width=100)


if __name__ == "__main__":
    TEMPLATE_PATH.write_text(render(), encoding="utf-8")
