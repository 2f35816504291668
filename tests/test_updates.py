"""A project follows its template for life: made at any release or any earlier version of the
template's Jinja extension, it updates to the head with the documented command, keeps its user's
edit, and passes its own lint and tests; a conflict stops the update; environments follow their
requirements; a replay file of an older release regenerates the project without a terminal.

The history tests make projects at real commits of this repository. They are marked ``history``
(``pytest -m "not history"`` skips them for a quick run); CI runs them.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from cookiecutter.environment import StrictEnvironment

from tests.environments import REPO_ROOT, make
from tests.git_projects import (
    SLUG,
    change_template,
    cookiecutter_cli,
    cruft,
    edit,
    git,
    release_commits,
    repository,
    run,
    snapshot,
)

# The extension's file, under each name it has had: a change to it is what broke updates (cruft
# renders the old and the new commit in one process, cruft issue #253).
EXTENSION_FILES = ("local_extensions.py", "lambda_task_extensions.py")
TRIGGERS = ("sqs", "s3", "schedule")
UPGRADING = (REPO_ROOT / "UPGRADING.md").read_text(encoding="utf-8")


def starting_points() -> list[tuple[str, str]]:
    """The commits projects are made at: the last one before each change of the extension, and
    every release but the head's own; oldest first, each with why it is there."""
    points = {}
    for change in repository("log", "--format=%H %P", "--", *EXTENSION_FILES).splitlines():
        commit, *parents = change.split()
        if parents:
            points[parents[0]] = f"before-extension-change-{commit[:7]}"
    head = repository("rev-parse", "HEAD").strip()
    for version, commit in release_commits().items():
        if commit and commit != head:
            points[commit] = f"release-{version}"
    dated = sorted(points, key=lambda commit: int(repository("log", "-1", "--format=%ct", commit)))
    return [(commit, points[commit]) for commit in dated]


def answers_at(commit: str, trigger: str, blank: bool) -> dict[str, str]:
    """Answers for a project made at ``commit``: ``trigger`` where that commit offers it."""
    offered = json.loads(repository("show", f"{commit}:cookiecutter.json"))
    answers = {"trigger": trigger} if trigger in offered.get("trigger", []) else {}
    if blank and "blank" in offered.get("task", []):
        answers["task"] = "blank"
    return answers


def history() -> list[pytest.param]:
    """Every starting point, the triggers rotated over them, and the newest that offers it blank."""
    points = starting_points()
    offers_blank = [
        commit for commit, _ in points if '"blank"' in repository("show", f"{commit}:cookiecutter.json")
    ]
    blank_at = offers_blank[-1] if offers_blank else None
    params = []
    for (commit, why), trigger in zip(points, itertools.cycle(TRIGGERS), strict=False):
        answers = answers_at(commit, trigger, blank=commit == blank_at)
        label = "-".join(answers.values()) or "sqs"
        params.append(pytest.param(commit, answers, id=f"{commit[:7]}-{why}-{label}"))
    return params


def made_at(environ, tmp_path: Path, template: Path, commit: str, answers: dict[str, str]) -> Path:
    """A project made with ``cruft create`` at ``commit`` and committed to its own repository."""
    output = tmp_path / "projects"
    cruft(
        environ, tmp_path, "create", "--no-input", "--checkout", commit, "--output-dir", str(output),
        "--extra-context", json.dumps(answers), str(template),
    )  # fmt: skip
    (project,) = output.iterdir()
    git(environ, project, "init", "--quiet", "--initial-branch=main")
    git(environ, project, "add", "--all")
    git(environ, project, "commit", "--quiet", "--message=Baked from the template")
    return project


USER_IGNORES = "\n# Our own scratch files\n/notes/\n"


def user_edit(environ, project: Path) -> None:
    with (project / ".gitignore").open("a", encoding="utf-8") as ignores:
        ignores.write(USER_IGNORES)
    git(environ, project, "commit", "--quiet", "--all", "--message=Ignore our notes")


def has_target(project: Path, target: str) -> bool:
    return f"\n{target}:" in (project / "Makefile").read_text(encoding="utf-8")


def update_as_documented(environ, project: Path, tools_env: Path):
    """The update command the project's release documents: ``make update-template`` from 1.0.0 on;
    before it (UPGRADING.md, 1.0.0) cruft update with the pinned cruft and cookiecutter the tools
    environment holds, then the new ``make check-template``."""
    tools = f"TOOLS_VENV={tools_env}"
    if has_target(project, "update-template"):
        return run(environ, project, "make", "update-template", tools, check=False)
    updated = run(
        environ, project, str(tools_env / "bin" / "cruft"), "update", "--skip-apply-ask", check=False
    )
    if updated.returncode:
        return updated
    return run(environ, project, "make", "check-template", tools, check=False)


@pytest.mark.history
@pytest.mark.parametrize(("commit", "answers"), history())
def test_a_project_from_history_updates_to_the_head(
    commit, answers, head, environ, tmp_path, project_env, tools_env
):
    project = made_at(environ, tmp_path, head, commit, answers)
    user_edit(environ, project)

    updated = update_as_documented(environ, project, tools_env)

    assert updated.returncode == 0, f"{updated.stdout}\n{updated.stderr}"
    assert (project / ".gitignore").read_text(encoding="utf-8").endswith(USER_IGNORES)
    recorded = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert recorded["commit"] == git(environ, head, "rev-parse", "HEAD").strip()
    assert has_target(project, "update-template")
    make(project, "lint", "test", f"VENV={project_env}")


def test_history_covers_every_extension_change_and_release():
    points = dict(starting_points())
    changes = repository("log", "--format=%H", "--", *EXTENSION_FILES).split()
    assert len(changes) >= 11
    for change in changes[:-1]:  # the first commit made the extension: nothing came before it
        assert repository("rev-parse", f"{change}^").strip() in points
    assert "release-0.1.0" in points.values()


def test_history_rotates_the_triggers_and_a_blank_task():
    params = [param.values[1] for param in history()]
    assert {answers.get("trigger") for answers in params} >= set(TRIGGERS)
    assert any(answers.get("task") == "blank" for answers in params)


# --- The extension may change again ------------------------------------------------------------


def test_a_later_change_of_the_extension_reaches_the_project(project, template, environ, tools_env):
    """The guard: a template whose extension gains a filter, used by a generated file, updates a
    project made before the change (its render imports the extension first, in the same process)."""
    extension = template / "lambda_task_extensions.py"
    extension.write_text(
        extension.read_text(encoding="utf-8").replace(
            '        environment.filters["quoted"] = quoted\n',
            '        environment.filters["quoted"] = quoted\n'
            '        environment.filters["shouted"] = lambda text: str(text).upper()\n',
        ),
        encoding="utf-8",
    )
    change_template(
        environ, template, "README.md", "## Deploy\n", "## Deploy {{ cookiecutter.project_name | shouted }}\n"
    )

    updated = run(environ, project, "make", "update-template", f"TOOLS_VENV={tools_env}", check=False)

    assert updated.returncode == 0, updated.stderr
    assert "## Deploy WEBHOOK RELAY\n" in (project / "README.md").read_text(encoding="utf-8")


def test_each_render_reads_the_extension_on_disk_even_with_bytecode_of_its_size_and_second(
    tmp_path, monkeypatch
):
    """Python trusts bytecode whose source has the same size and modification second; two
    checkouts of the extension in one update can share both, and must still differ."""
    source = (REPO_ROOT / "lambda_task_extensions.py").read_text(encoding="utf-8")
    assigned = '        environment.filters["quoted"] = quoted\n'
    versions = [
        source.replace(assigned, f'{assigned}        environment.filters["release"] = lambda _: "{name}"\n')
        for name in ("one", "two")  # the same size
    ]
    module = tmp_path / "lambda_task_extensions.py"
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "lambda_task_extensions", raising=False)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # as on most machines (not this one)
    context = {"cookiecutter": {"_extensions": ["lambda_task_extensions.QuotingExtension"]}}
    rendered = []
    for version in versions:
        module.write_text(version, encoding="utf-8")
        os.utime(module, (1_700_000_000, 1_700_000_000))
        rendered.append(StrictEnvironment(context=context).from_string("{{ 0 | release }}").render())
    assert rendered == ["one", "two"]


# --- A conflict stops the update -----------------------------------------------------------------


def test_a_conflicted_update_fails_and_names_the_file(project, template, environ, tools_env):
    edit(environ, project, "README.md", "## Deploy\n", "## Deploy (ask #relay-oncall first)\n")
    change_template(environ, template, "README.md", "## Deploy\n", "## Deploy to AWS\n")
    tools = f"TOOLS_VENV={tools_env}"

    updated = run(environ, project, "make", "update-template", tools, check=False)

    assert updated.returncode != 0
    assert "left conflicts" in updated.stderr
    assert "  README.md\n" in updated.stderr
    checked = run(environ, project, "make", "check-template", tools, check=False)
    assert checked.returncode != 0
    assert "  README.md\n" in checked.stderr

    # Resolved (the user's line and the template's both kept) and added: the check passes.
    readme = (project / "README.md").read_text(encoding="utf-8")
    resolved = re.sub(r"<{7} .*?\n(.*?)={7}\n(.*?)>{7} .*?\n", r"\1\2", readme, flags=re.DOTALL)
    (project / "README.md").write_text(resolved, encoding="utf-8")
    git(environ, project, "add", "README.md")
    assert run(environ, project, "make", "check-template", tools, check=False).returncode == 0


def test_a_rejected_hunk_fails_the_update_outside_git(project, template, environ, tools_env):
    """Outside a git repository cruft applies with --reject: the .rej file fails the update."""
    edit(environ, project, "README.md", "## Deploy\n", "## Deploy (ask #relay-oncall first)\n")
    change_template(environ, template, "README.md", "## Deploy\n", "## Deploy to AWS\n")
    git_dir = project / ".git"
    git_dir.rename(project.parent / "project.git")

    updated = run(environ, project, "make", "update-template", f"TOOLS_VENV={tools_env}", check=False)

    assert updated.returncode != 0
    assert "  ./README.md.rej\n" in updated.stderr


def test_an_update_without_conflicts_passes_the_check(project, template, environ, tools_env):
    change_template(environ, template, "README.md", "## Deploy\n", "## Deploy to AWS\n")
    tools = f"TOOLS_VENV={tools_env}"
    assert run(environ, project, "make", "update-template", tools, check=False).returncode == 0
    assert run(environ, project, "make", "check-template", tools, check=False).returncode == 0


# --- Environments follow their requirements ------------------------------------------------------


def planned(project: Path, *arguments: str) -> str:
    """What ``make -n`` would run: the decision, without running it."""
    return make(project, "-n", *arguments).stdout


def test_a_changed_requirement_reinstalls_the_environment(bake, project_env, tools_env, tmp_path):
    project = bake({"project_name": "Stale Env"})
    # The shared environment was last installed from some bake's requirements: now from these.
    make(project, "install", f"VENV={project_env}")
    assert "pip install" not in planned(project, "test", f"VENV={project_env}")
    assert "pip install" not in planned(project, "validate", f"TOOLS_VENV={tools_env}")

    copy = tmp_path / "stale-env"
    subprocess.run(["cp", "-a", str(project), str(copy)], check=True)  # noqa: S603, S607
    for lock, pin in (("dev", "iniconfig==2.3.0"), ("tools", "cfn-lint==1.59.0")):
        with (copy / "requirements" / f"{lock}.txt").open("a", encoding="utf-8") as requirements:
            requirements.write(f"{pin} --hash=sha256:{'0' * 64}\n")  # a pin a template update adds

    install = "pip install --quiet --require-hashes --requirement requirements/{}.txt"
    assert install.format("dev") in planned(copy, "test", f"VENV={project_env}")
    assert install.format("tools") in planned(copy, "validate", f"TOOLS_VENV={tools_env}")


# --- Regenerating from the replay file, with no terminal -----------------------------------------


def test_an_old_replay_file_regenerates_without_a_terminal(head, environ, tmp_path, tools_env):
    release = release_commits()["0.1.0"]
    old = tmp_path / "old"
    cookiecutter_cli(
        environ, tmp_path, "--no-input", "--checkout", release, "--output-dir", str(old), f"git+file://{head}"
    )  # a directory is rendered as it is: --checkout needs the repository's address
    old_answers = json.loads((old / SLUG / ".cookiecutter.json").read_text(encoding="utf-8"))["cookiecutter"]
    assert "catalog_owner" not in old_answers

    current = tmp_path / "current"
    cookiecutter_cli(environ, tmp_path, "--no-input", "--output-dir", str(current), str(head))
    project = current / SLUG
    (project / ".cookiecutter.json").write_text(json.dumps({"cookiecutter": old_answers}), encoding="utf-8")
    out = tmp_path / "regenerated"
    regenerated = subprocess.run(  # noqa: S603 - make with arguments built here
        ["make", "regenerate", f"TEMPLATE={head}", f"OUT={out}", f"TOOLS_VENV={tools_env}"],  # noqa: S607
        cwd=project, env=environ, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert regenerated.returncode == 0, regenerated.stderr
    new_answers = json.loads((out / SLUG / ".cookiecutter.json").read_text(encoding="utf-8"))["cookiecutter"]
    taken = sorted(set(new_answers) - set(old_answers) - {"_extensions"})
    assert "catalog_owner" in taken
    for name in taken:
        assert f"{name}: not in .cookiecutter.json (new in the template): took" in regenerated.stdout
    kept = [name for name in old_answers if name in new_answers and not name.startswith("_")]
    assert {name: new_answers[name] for name in kept} == {name: old_answers[name] for name in kept}
    assert f"Regenerated into {out / SLUG}" in regenerated.stdout

    # A project of that release has no `make regenerate` yet: UPGRADING.md's script does it.
    script = re.search(r"<<'PY'\n(.*?)\n  PY\n", UPGRADING, flags=re.DOTALL)
    assert script
    by_hand = subprocess.run(  # noqa: S603 - the upgrade notes' own script
        [sys.executable, "-", str(head), str(tmp_path / "by-hand")],
        input=textwrap.dedent(script.group(1)), cwd=old / SLUG, env=environ,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert by_hand.returncode == 0, by_hand.stderr
    assert f"took defaults for: {taken}" in by_hand.stdout
    assert snapshot(tmp_path / "by-hand" / SLUG) == snapshot(out / SLUG)


def test_the_upgrade_notes_give_the_commands_the_update_tests_run():
    tools_in = REPO_ROOT / "{{cookiecutter.project_slug}}" / "requirements" / "tools.in"
    tools = tools_in.read_text(encoding="utf-8")
    for tool in ("cruft", "cookiecutter"):
        (pin,) = re.findall(rf"^{tool}==\S+$", tools, flags=re.MULTILINE)
        assert pin in UPGRADING
    assert ".venv-tools/bin/cruft update --skip-apply-ask\n" in UPGRADING
    assert "make check-template" in UPGRADING


# --- The weekly pull request ----------------------------------------------------------------------

# Stands in for the GitHub CLI: records each call, keeps the pull request's state and description.
STAND_IN_GH = """#!/usr/bin/env python3
import json, os, pathlib, shutil, sys
state, args = pathlib.Path(os.environ["GH_STATE"]), sys.argv[1:]
with (state / "calls").open("a") as calls:
    calls.write(json.dumps(args) + "\\n")
if args[:2] == ["pr", "view"]:
    print("OPEN") if (state / "body.md").exists() else sys.exit(1)
if args[:2] in (["pr", "create"], ["pr", "edit"]):
    shutil.copy(args[args.index("--body-file") + 1], state / "body.md")
"""


def template_check_steps(project: Path) -> dict[str, str]:
    workflow = yaml.safe_load((project / ".github" / "workflows" / "template-check.yml").read_text())
    return {
        step["name"]: step["run"] for step in workflow["jobs"]["template-update"]["steps"] if "run" in step
    }


@dataclass
class WorkflowRun:
    """What a run of template-check.yml did: its steps' outcomes, and what the stand-in gh saw."""

    update: subprocess.CompletedProcess[str]
    proposal: subprocess.CompletedProcess[str] | None
    calls: list[list[str]]
    state: Path


def run_template_check(environ, project: Path, tmp_path: Path, tools_env: Path) -> WorkflowRun:
    """Both steps of the workflow, in order, as GitHub runs them (the second only when the first
    proposes), with GitHub's environment stood in for."""
    state, bin_dir = tmp_path / "gh-state", tmp_path / "bin"
    for directory in (state, bin_dir):
        directory.mkdir(exist_ok=True)
    runner = Path(tempfile.mkdtemp(dir=tmp_path, prefix="runner-"))  # each run's own RUNNER_TEMP
    (bin_dir / "gh").write_text(STAND_IN_GH, encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    outputs = runner / "outputs"
    outputs.write_text("", encoding="utf-8")
    # A runner sets no git identity of its own: the workflow names the bot's.
    runner_environ = {
        key: value for key, value in environ.items() if not key.startswith(("GIT_AUTHOR", "GIT_COMMITTER"))
    }
    github = {
        **runner_environ,
        "PATH": f"{bin_dir}:{environ['PATH']}",
        "GH_STATE": str(state), "GH_TOKEN": "test-token", "BASE": "main",
        "RUNNER_TEMP": str(runner), "GITHUB_OUTPUT": str(outputs),
        "GITHUB_REPOSITORY": "example-org/webhook-relay", "TOOLS_VENV": str(tools_env),
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.file://{tmp_path / 'remotes'}/.insteadOf",
        "GIT_CONFIG_VALUE_0": "https://github.com/",
    }  # fmt: skip
    steps = template_check_steps(project)
    update = subprocess.run(  # noqa: S603 - the workflow's own step
        ["bash", "-e", "-c", steps["Update from the template"]],  # noqa: S607
        cwd=project, env=github, capture_output=True, text=True, check=False,
    )  # fmt: skip
    proposal = None
    if update.returncode == 0 and "proposed=true" in outputs.read_text(encoding="utf-8"):
        proposal = subprocess.run(  # noqa: S603 - the workflow's own step
            ["bash", "-e", "-c", steps["Open or refresh the pull request"]],  # noqa: S607
            cwd=project, env=github, capture_output=True, text=True, check=False,
        )  # fmt: skip
    calls = (state / "calls").read_text(encoding="utf-8") if (state / "calls").exists() else ""
    return WorkflowRun(update, proposal, [json.loads(line) for line in calls.splitlines()], state)


def succeeded(run: WorkflowRun) -> WorkflowRun:
    assert run.update.returncode == 0, run.update.stderr
    assert run.proposal is None or run.proposal.returncode == 0, run.proposal.stderr
    return run


@pytest.fixture
def published(project, environ, tmp_path) -> Path:
    """The project's repository on the stand-in github.com, main pushed."""
    remote = tmp_path / "remotes" / "example-org" / "webhook-relay.git"
    git(environ, tmp_path, "init", "--quiet", "--bare", str(remote))
    git(environ, project, "push", "--quiet", str(remote), "main")
    return remote


def release_with_notes(environ, template: Path) -> None:
    """A template release: a change to a generated file, its upgrade notes, its tag."""
    upgrading = template / "UPGRADING.md"
    text = upgrading.read_text(encoding="utf-8")
    upgrading.write_text(
        text.replace("\n## [", "\n## [9.9.9]\n\n- Rename the on-call channel.\n\n## [", 1), encoding="utf-8"
    )
    change_template(environ, template, "README.md", "## Deploy\n", "## Deploy to AWS\n")
    git(environ, template, "tag", "v9.9.9")


@pytest.mark.parametrize("conflicted", [False, True], ids=["clean", "conflicted"])
def test_the_weekly_workflow_proposes_the_update_as_a_pull_request(
    project, template, published, environ, tmp_path, tools_env, conflicted
):
    if conflicted:
        edit(environ, project, "README.md", "## Deploy\n", "## Deploy (ask #relay-oncall first)\n")
        git(environ, project, "push", "--quiet", str(published), "main")
    release_with_notes(environ, template)

    run = succeeded(run_template_check(environ, project, tmp_path, tools_env))

    body = (run.state / "body.md").read_text(encoding="utf-8")
    assert "### [9.9.9]\n\n- Rename the on-call channel.\n" in body
    assert [call[:2] for call in run.calls] == [["pr", "view"], ["pr", "create"], ["api", "--silent"]]
    status = run.calls[2]
    pushed = git(environ, published, "rev-parse", "template-update").strip()
    assert f"repos/example-org/webhook-relay/statuses/{pushed}" in status
    if conflicted:
        assert "- `README.md`" in body
        assert "state=failure" in status
        assert "<<<<<<<" in git(environ, published, "show", "template-update:README.md")
    else:
        assert "## Conflicts\n\nNone.\n" in body
        assert "state=success" in status
        assert "## Deploy to AWS\n" in git(environ, published, "show", "template-update:README.md")

    # Next week, nothing new in the template: the proposal stands as it is, nothing is pushed.
    git(environ, project, "switch", "--quiet", "main")
    again = succeeded(run_template_check(environ, project, tmp_path, tools_env))
    assert "already proposes this update" in again.proposal.stdout
    assert again.calls == run.calls
    assert git(environ, published, "rev-parse", "template-update").strip() == pushed


def test_the_weekly_workflow_leaves_a_branch_someone_pushed_to(
    project, template, published, environ, tmp_path, tools_env
):
    release_with_notes(environ, template)
    first = succeeded(run_template_check(environ, project, tmp_path, tools_env))
    # Someone resolves something on the branch; the template moves on; the next week's run.
    resolver = tmp_path / "resolver"
    git(environ, tmp_path, "clone", "--quiet", "--branch", "template-update", str(published), str(resolver))
    someone = {**environ, "GIT_AUTHOR_EMAIL": "dev@example.com"}
    edit(someone, resolver, "README.md", "## Deploy to AWS\n", "## Ship\n")
    git(environ, resolver, "push", "--quiet", "origin", "template-update")
    theirs = git(environ, published, "rev-parse", "template-update")
    change_template(environ, template, "Makefile", "ENV ?= dev\n", "ENV ?= test\n")
    git(environ, project, "switch", "--quiet", "main")  # next week's checkout

    second = succeeded(run_template_check(environ, project, tmp_path, tools_env))

    assert "not refreshed" in second.proposal.stdout
    assert git(environ, published, "rev-parse", "template-update") == theirs
    assert second.calls == first.calls  # no pull request edited, no status set


def test_an_up_to_date_project_proposes_nothing(project, published, environ, tmp_path, tools_env):
    run = succeeded(run_template_check(environ, project, tmp_path, tools_env))
    assert "Up to date with the template's" in run.update.stdout
    assert run.proposal is None
    assert run.calls == []


def test_a_failed_update_fails_the_workflow(project, published, environ, tmp_path, tools_env):
    """Not a conflict: the template cannot be reached. The run fails instead of looking current."""
    cruft_json = project / ".cruft.json"
    recorded = json.loads(cruft_json.read_text(encoding="utf-8"))
    cruft_json.write_text(json.dumps({**recorded, "template": str(tmp_path / "gone")}), encoding="utf-8")
    git(environ, project, "commit", "--quiet", "--all", "--message=Template moved")

    run = run_template_check(environ, project, tmp_path, tools_env)

    assert run.update.returncode != 0
    assert "make update-template failed, and not on a conflict" in run.update.stderr
    assert run.proposal is None
