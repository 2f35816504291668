"""Template and project repositories in a temporary directory, and the commands run in them.

Everything runs on local git repositories: a copy of this template made into a repository stands
for the organisation's template, so no test reaches the network, and git runs with its own
identity and no global or system configuration. Loaded as a pytest plugin (conftest.py), so the
fixtures serve every test module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.environments import REPO_ROOT

# What a clone of the template repository holds: no caches, environments or local state.
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", ".cache", ".venv*", "__pycache__", ".pytest_cache", ".ruff_cache"
)
SLUG = "webhook-relay"


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    """The environment of every command: a git identity, no user git or cookiecutter config."""
    home = tmp_path / "home"
    home.mkdir()
    config = home / "cookiecutter.yaml"
    settings = {"cookiecutters_dir": str(home / "cookiecutters"), "replay_dir": str(home / "replay")}
    config.write_text(json.dumps(settings), encoding="utf-8")  # JSON is YAML
    environ = {
        key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "COOKIECUTTER"))
    }
    environ.update(
        GIT_AUTHOR_NAME="Template Tests",
        GIT_AUTHOR_EMAIL="tests@example.com",
        GIT_COMMITTER_NAME="Template Tests",
        GIT_COMMITTER_EMAIL="tests@example.com",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        COOKIECUTTER_CONFIG=str(config),
    )
    return environ


def run(
    environ: dict[str, str], cwd: Path, *command: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a command; with ``check``, fail the test with its output if it fails."""
    completed = subprocess.run(  # noqa: S603 - commands built by the tests
        command, cwd=cwd, env=environ, capture_output=True, text=True, check=False
    )
    if check:
        assert completed.returncode == 0, f"{' '.join(command)}:\n{completed.stdout}\n{completed.stderr}"
    return completed


def git(environ: dict[str, str], cwd: Path, *arguments: str) -> str:
    return run(environ, cwd, "git", *arguments).stdout


def cruft(environ: dict[str, str], cwd: Path, *arguments: str, check: bool = True):
    return run(environ, cwd, sys.executable, "-m", "cruft", *arguments, check=check)


def cookiecutter_cli(environ: dict[str, str], cwd: Path, *arguments: str):
    return run(environ, cwd, sys.executable, "-m", "cookiecutter", *arguments)


@pytest.fixture
def template(tmp_path: Path, environ: dict[str, str]) -> Path:
    """A git repository holding this template, as an organisation publishes it (tagged v0.1.0)."""
    repository = tmp_path / "cookiecutter-lambda-task"
    shutil.copytree(REPO_ROOT, repository, ignore=NOT_IN_A_CLONE)
    git(environ, repository, "init", "--quiet", "--initial-branch=main")
    git(environ, repository, "add", "--all")
    git(environ, repository, "commit", "--quiet", "--message=Template")
    git(environ, repository, "tag", "v0.1.0")
    return repository


def change_template(environ: dict[str, str], template: Path, path: str, old: str, new: str) -> str:
    """Commit a change to a generated file of the template; return the new commit."""
    generated = template / "{{cookiecutter.project_slug}}" / path
    text = generated.read_text(encoding="utf-8")
    assert old in text
    generated.write_text(text.replace(old, new, 1), encoding="utf-8")
    git(environ, template, "commit", "--quiet", "--all", f"--message=Change {path}")
    return git(environ, template, "rev-parse", "HEAD").strip()


def edit(environ: dict[str, str], project: Path, path: str, old: str, new: str) -> None:
    """Commit a user's edit to a file of the project."""
    text = (project / path).read_text(encoding="utf-8")
    assert old in text
    (project / path).write_text(text.replace(old, new, 1), encoding="utf-8")
    git(environ, project, "commit", "--quiet", "--all", f"--message=Edit {path}")


@pytest.fixture
def project(tmp_path: Path, environ: dict[str, str], template: Path) -> Path:
    """A project made with `cruft create` and committed to its own git repository."""
    output = tmp_path / "projects"
    cruft(environ, tmp_path, "create", "--no-input", "--output-dir", str(output), str(template))
    project = output / SLUG
    git(environ, project, "init", "--quiet", "--initial-branch=main")
    git(environ, project, "add", "--all")
    git(environ, project, "commit", "--quiet", "--message=Baked from the template")
    return project


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every file and directory under ``root`` (but .git): its mode, and a file's bytes."""
    return {
        path.relative_to(root).as_posix(): (path.stat().st_mode, path.read_bytes() if path.is_file() else b"")
        for path in sorted(root.rglob("*"))
        if ".git" not in path.relative_to(root).parts
    }


@pytest.fixture(scope="session")
def head(tmp_path_factory) -> Path:
    """A clone of this repository whose last commit is the work tree as it is (in CI, HEAD)."""
    clone = tmp_path_factory.mktemp("head") / "cookiecutter-lambda-task"
    identity = ["-c", "user.name=Template Tests", "-c", "user.email=tests@example.com"]
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True)  # noqa: S603, S607
    subprocess.run(["git", f"--work-tree={REPO_ROOT}", "add", "--all"], cwd=clone, check=True)  # noqa: S603, S607
    status = subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True)  # noqa: S607
    if status.stdout.strip():
        subprocess.run(["git", *identity, "commit", "--quiet", "-m", "Work tree"], cwd=clone, check=True)  # noqa: S603, S607
    subprocess.run(["git", "reset", "--quiet", "--hard"], cwd=clone, check=True)  # noqa: S607
    return clone


def repository(*arguments: str) -> str:
    """Run git in this repository and return its output (what CI's clone holds: the full history)."""
    return subprocess.run(  # noqa: S603 - fixed git queries
        ["git", *arguments],  # noqa: S607 - git is looked up on PATH on purpose
        cwd=REPO_ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def release_commits() -> dict[str, str]:
    """Each release in CHANGELOG.md (``## [x.y.z] - date``) and its commit: the newest one whose
    change to CHANGELOG.md added the section's heading (as .github/workflows/release.yml finds it)."""
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = {}
    for version in re.findall(r"^## \[(\d+\.\d+\.\d+)\] - ", changelog, flags=re.MULTILINE):
        heading = f"## [{version}]"
        changes = repository("log", "--format=%H", f"-S{heading}", "--", "CHANGELOG.md").split()
        added = [commit for commit in changes if heading in repository("show", f"{commit}:CHANGELOG.md")]
        releases[version] = added[0] if added else ""
    return releases
