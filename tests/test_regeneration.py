"""Projects outlive their first bake: cruft updates them from a newer template, a replay file
regenerates them, the same answers always give the same bytes, and an organisation's defaults
and automation's key=value answers are honoured.

Everything runs on local git repositories in a temporary directory (tests/git_projects.py).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from tests.environments import REPO_ROOT
from tests.git_projects import SLUG, change_template, cookiecutter_cli, cruft, edit, git, run, snapshot

# --- cruft --------------------------------------------------------------------------------------


def test_cruft_create_records_the_template_and_its_commit(project, template, environ):
    recorded = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert recorded["template"] == str(template)
    assert recorded["commit"] == git(environ, template, "rev-parse", "HEAD").strip()
    assert recorded["context"]["cookiecutter"]["project_slug"] == SLUG
    assert cruft(environ, project, "check").returncode == 0


def test_cruft_update_brings_the_template_change_and_keeps_the_edits(project, template, environ):
    # The user's edits: their own README section, and a different default environment.
    edit(environ, project, "README.md", "## Deploy\n", "## On call\n\nPage #relay-oncall.\n\n## Deploy\n")
    edit(environ, project, "Makefile", "ENV ?= dev\n", "ENV ?= staging\n")
    # The template's change, in the same Makefile, a few lines away from the user's edit.
    new_commit = change_template(
        environ, template, "Makefile", "rm -rf .aws-sam .pytest_cache .ruff_cache\n",
        "rm -rf .aws-sam .pytest_cache .ruff_cache .coverage htmlcov\n",
    )  # fmt: skip

    stale = cruft(environ, project, "check", check=False)
    assert stale.returncode == 1
    assert "out of date" in stale.stdout + stale.stderr

    cruft(environ, project, "update", "--skip-apply-ask")

    makefile = (project / "Makefile").read_text(encoding="utf-8")
    assert "rm -rf .aws-sam .pytest_cache .ruff_cache .coverage htmlcov\n" in makefile
    assert "ENV ?= staging\n" in makefile
    assert "Page #relay-oncall." in (project / "README.md").read_text(encoding="utf-8")
    assert json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["commit"] == new_commit
    assert "<<<<<<<" not in makefile
    assert not list(project.rglob("*.rej"))
    assert cruft(environ, project, "check").returncode == 0


def test_make_check_template_fails_while_the_project_is_behind(project, template, environ, tools_env):
    run(environ, project, "make", "check-template", f"TOOLS_VENV={tools_env}")
    change_template(environ, template, "README.md", "## Deploy\n", "## Deploy to AWS\n")
    behind = run(environ, project, "make", "check-template", f"TOOLS_VENV={tools_env}", check=False)
    assert behind.returncode != 0
    assert "out of date" in behind.stdout + behind.stderr


def test_a_conflicting_edit_is_left_as_a_visible_conflict(project, template, environ):
    edit(environ, project, "Makefile", "ENV ?= dev\n", "ENV ?= staging\n")
    change_template(environ, template, "Makefile", "ENV ?= dev\n", "ENV ?= test\n")

    cruft(environ, project, "update", "--skip-apply-ask")

    makefile = (project / "Makefile").read_text(encoding="utf-8")
    rejected = list(project.rglob("*.rej"))
    # Either git's conflict markers around both lines, or the template's hunk kept in a .rej file:
    # never the template's line silently replacing the user's, nor the change silently dropped.
    if rejected:
        assert "ENV ?= staging\n" in makefile
        assert "ENV ?= test" in "".join(path.read_text(encoding="utf-8") for path in rejected)
    else:
        assert "<<<<<<<" in makefile
        assert "ENV ?= staging\n" in makefile
        assert "ENV ?= test\n" in makefile
        assert "UU Makefile" in git(environ, project, "status", "--porcelain")


# --- Replay and determinism -----------------------------------------------------------------------

ANSWERS = {
    "project_name": "Invoice Sync",
    "python_version": "3.13",
    "env_vars": "API_REGION=eu-west-1",
    "catalog_entry": "backstage",
    "alarm_email": "ops@example.com",
    "trigger": "sns",
    "batch_size": "7",  # an sqs answer, which an interactive sns run would not ask: kept as given
}


def test_the_replay_file_regenerates_the_same_tree(tmp_path, environ):
    first, second = tmp_path / "first", tmp_path / "second"
    pairs = [f"{key}={value}" for key, value in ANSWERS.items()]
    cookiecutter_cli(environ, tmp_path, "--no-input", "--output-dir", str(first), str(REPO_ROOT), *pairs)
    project = first / "invoice-sync"
    replay = project / ".cookiecutter.json"
    answers = json.loads(replay.read_text(encoding="utf-8"))["cookiecutter"]
    assert {key: answers[key] for key in ANSWERS} == ANSWERS
    assert not [key for key in answers if key.startswith("_") and key != "_extensions"]
    assert str(tmp_path) not in replay.read_text(encoding="utf-8")

    # As the generated README says: regenerate from the replay file elsewhere, then compare.
    cookiecutter_cli(
        environ, tmp_path, "--replay-file", str(replay), "--output-dir", str(second), str(REPO_ROOT)
    )
    assert snapshot(second / "invoice-sync") == snapshot(project)


def test_two_bakes_of_the_same_answers_are_byte_identical(tmp_path, environ):
    trees = []
    for name in ("one", "two"):
        pairs = [f"{key}={value}" for key, value in ANSWERS.items()]
        cookiecutter_cli(environ, tmp_path, "--no-input", "--output-dir", name, str(REPO_ROOT), *pairs)
        trees.append(snapshot(tmp_path / name / "invoice-sync"))
    assert trees[0] == trees[1]
    assert "catalog-info.yaml" in trees[0]


FORBIDDEN_IN_HOOKS = {"subprocess", "socket", "urllib", "http", "git", "requests", "httpx", "getpass"}


@pytest.mark.parametrize("hook", sorted((REPO_ROOT / "hooks").glob("*.py")), ids=lambda path: path.name)
def test_hooks_never_prompt_reach_the_network_or_run_git(hook):
    # cruft renders the template again on every update, hooks included: they must be pure.
    tree = ast.parse(hook.read_text(encoding="utf-8"))
    imported = {
        name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in ([alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module])
    }
    assert not imported & FORBIDDEN_IN_HOOKS
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not called & {"input", "exec", "eval"}
    assert "os.system" not in ast.unparse(tree)


# --- An organisation's defaults, and automation's answers --------------------------------------

ORG_DEFAULTS = {
    "author_name": "Platform Team",
    "author_email": "platform@example.com",
    "aws_region": "eu-central-1",
    "architecture": "x86_64",
    "catalog_entry": "backstage",
    "log_retention_days": "90",
    # Answers an interactive run would not ask (the default trigger is sqs): set here, they stay.
    "schedule_expression": "rate(1 hour)",
    "s3_prefix": "org/",
}


def baked_answers(output: Path) -> dict[str, str]:
    (project,) = output.iterdir()
    return json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))["cookiecutter"]


@pytest.mark.parametrize("how", ["--config-file", "COOKIECUTTER_CONFIG"])
def test_org_defaults_from_the_user_config_are_honoured(tmp_path, environ, how):
    config = tmp_path / "org.yaml"
    settings = {"default_context": ORG_DEFAULTS, "replay_dir": str(tmp_path / "replay")}
    config.write_text(json.dumps(settings), encoding="utf-8")
    output = tmp_path / "out"
    if how == "--config-file":
        cookiecutter_cli(
            environ, tmp_path, "--no-input", "--config-file", str(config), "-o", str(output), str(REPO_ROOT)
        )
    else:
        environ = {**environ, "COOKIECUTTER_CONFIG": str(config)}
        cookiecutter_cli(environ, tmp_path, "--no-input", "-o", str(output), str(REPO_ROOT))
    answers = baked_answers(output)
    assert {key: answers[key] for key in ORG_DEFAULTS} == ORG_DEFAULTS
    assert answers["project_name"] == "Webhook Relay"  # what the organisation left alone
    (project,) = output.iterdir()
    assert (project / "catalog-info.yaml").is_file()
    assert "Architectures: [x86_64]" in (project / "template.yaml").read_text(encoding="utf-8")


def test_key_value_answers_win_over_org_defaults(tmp_path, environ):
    config = tmp_path / "org.yaml"
    config.write_text(json.dumps({"default_context": ORG_DEFAULTS}), encoding="utf-8")
    output = tmp_path / "out"
    cookiecutter_cli(
        environ, tmp_path, "--no-input", "--config-file", str(config), "-o", str(output), str(REPO_ROOT),
        "aws_region=us-west-2", "catalog_entry=none", "project_name=Order Feed",
    )  # fmt: skip
    answers = baked_answers(output)
    assert answers["aws_region"] == "us-west-2"
    assert answers["catalog_entry"] == "none"
    assert answers["project_slug"] == "order-feed"
    assert answers["author_name"] == ORG_DEFAULTS["author_name"]
    assert not (output / "order-feed" / "catalog-info.yaml").exists()
