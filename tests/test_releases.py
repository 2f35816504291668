"""Releases exist: CHANGELOG.md is valid Keep a Changelog, every release has upgrade notes, and the
release workflow's own step tags each release's commit in a bare repository standing for GitHub.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.environments import REPO_ROOT
from tests.git_projects import release_commits

CHANGELOG = (REPO_ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
RELEASE_WORKFLOW = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "release.yml").read_text())
RELEASE_STEP = next(step["run"] for step in RELEASE_WORKFLOW["jobs"]["tag"]["steps"] if "run" in step)
VERSION = re.compile(r"^## \[(\d+)\.(\d+)\.(\d+)\] - \d{4}-\d{2}-\d{2}$", flags=re.MULTILINE)


def test_the_changelog_is_valid_keep_a_changelog():
    verified = subprocess.run(  # noqa: S603 - python-kacl's own validator
        [str(Path(sys.executable).parent / "kacl-cli"), "verify"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_releases_are_dated_newest_first_and_each_has_upgrade_notes():
    versions = [tuple(map(int, match)) for match in VERSION.findall(CHANGELOG)]
    assert versions == sorted(versions, reverse=True)
    assert versions
    upgrading = (REPO_ROOT / "UPGRADING.md").read_text(encoding="utf-8")
    for version in versions:
        assert f"\n## [{'.'.join(map(str, version))}]\n" in upgrading


def test_each_release_is_the_commit_that_added_its_section():
    for version, commit in release_commits().items():
        assert commit, f"{version}: no commit added its section"
        added = subprocess.run(  # noqa: S603 - a fixed git query
            ["git", "show", f"{commit}:CHANGELOG.md"],  # noqa: S607
            cwd=REPO_ROOT, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert f"## [{version}]" in added


def test_the_readme_names_no_tag_that_is_missing():
    """Until the workflow has tagged a release, a pinned checkout of it would fail."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    released = set(release_commits())
    for version in re.findall(r"(?:--checkout |CHECKOUT=)v(\d+\.\d+\.\d+)", readme):
        assert version in released


def git(cwd: Path, *arguments: str) -> str:
    return subprocess.run(  # noqa: S603 - git with arguments built by the tests
        ["git", *arguments],  # noqa: S607
        cwd=cwd, capture_output=True, text=True, check=True,
        env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"},
    ).stdout.strip()  # fmt: skip


@pytest.fixture
def checkout(head: Path, tmp_path: Path) -> Path:
    """What actions/checkout gives the job (the whole history), with a bare repository as GitHub."""
    github = tmp_path / "github.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(head), str(github))
    for tag in git(github, "tag", "--list").split():
        git(github, "tag", "--delete", tag)
    workspace = tmp_path / "workspace"
    git(tmp_path, "clone", "--quiet", str(github), str(workspace))
    return workspace


def tag_releases(workspace: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - the workflow's own step
        ["bash", "-c", RELEASE_STEP],  # noqa: S607
        cwd=workspace, capture_output=True, text=True, check=False,
        env={**os.environ, "GITHUB_TOKEN": "test-token", "GIT_CONFIG_GLOBAL": os.devnull},
    )  # fmt: skip


def remote_tags(workspace: Path) -> dict[str, str]:
    listed = git(workspace, "ls-remote", "--tags", "origin")
    return {
        ref.removeprefix("refs/tags/"): commit
        for commit, ref in (line.split() for line in listed.splitlines())
    }


def test_the_workflow_tags_each_release_once(checkout, head):
    tagged = tag_releases(checkout)
    assert tagged.returncode == 0, tagged.stderr

    expected = {f"v{version}": commit for version, commit in release_commits().items()}
    # The work tree's own release, if it is not committed yet, is the clone's last commit.
    expected = {tag: commit or git(head, "rev-parse", "HEAD") for tag, commit in expected.items()}
    assert remote_tags(checkout) == expected

    again = tag_releases(checkout)
    assert again.returncode == 0, again.stderr
    assert "tagged" not in again.stdout
    assert remote_tags(checkout) == expected


def test_a_tag_on_another_commit_stays_where_it_is(checkout):
    first_release = min(release_commits().items())[0]
    git(checkout, "tag", f"v{first_release}", "HEAD")
    git(checkout, "push", "--quiet", "origin", f"v{first_release}")
    head = git(checkout, "rev-parse", "HEAD")

    tagged = tag_releases(checkout)

    assert tagged.returncode == 0, tagged.stderr
    assert f"::warning::v{first_release} stays on {head}" in tagged.stdout
    assert remote_tags(checkout)[f"v{first_release}"] == head


def test_a_section_taken_out_and_added_again_is_released_by_its_last_addition(tmp_path):
    """Independent of release_commits(): a history made here, with the commits known."""
    github, workspace = tmp_path / "github.git", tmp_path / "workspace"
    git(tmp_path, "init", "--quiet", "--bare", str(github))
    git(tmp_path, "clone", "--quiet", str(github), str(workspace))
    identity = ["-c", "user.name=Template Tests", "-c", "user.email=tests@example.com"]
    section = "## [2.0.0] - 2030-01-01\n\n### Added\n\n- Something.\n\n"
    commits = []
    for body in ("", section, "", section):  # made, released too early, taken out, released
        (workspace / "CHANGELOG.md").write_text(f"# Changelog\n\n## [Unreleased]\n\n{body}", encoding="utf-8")
        (workspace / "counter").write_text(str(len(commits)), encoding="utf-8")
        git(workspace, "add", "--all")
        git(workspace, *identity, "commit", "--quiet", "--message", f"Commit {len(commits)}")
        commits.append(git(workspace, "rev-parse", "HEAD"))
    git(workspace, "push", "--quiet", "origin", "HEAD")

    tagged = tag_releases(workspace)

    assert tagged.returncode == 0, tagged.stderr
    assert remote_tags(workspace) == {"v2.0.0": commits[3]}
