"""Fixtures shared by the template's tests: baking, and the environments baked projects share."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

from tests.environments import CACHE_DIR, REPO_ROOT, build_with_make, fingerprint, locks, project_python

# The template and project repositories of the update and regeneration tests.
pytest_plugins = ["tests.git_projects"]


@pytest.fixture(scope="session")
def bake(cookies_session):
    """Bake an answer set once per session and return the project directory."""
    baked: dict[str, Path] = {}

    def _bake(answers: dict[str, str]) -> Path:
        key = json.dumps(answers, sort_keys=True)
        if key not in baked:
            result = cookies_session.bake(extra_context=answers)
            assert result.exception is None, result.exception
            assert result.exit_code == 0
            baked[key] = Path(result.project_path)
        return baked[key]

    return _bake


@pytest.fixture(scope="session")
def project_env(bake) -> Path:
    """The runtime + dev environment every baked project's tests share."""
    project = bake({})
    python = project_python()
    destination = CACHE_DIR / f"project-{fingerprint(python, *locks(project, 'dev'))}"
    return build_with_make(project, "install", "VENV", destination, PYTHON=python)


@pytest.fixture(scope="session")
def tools_env(bake) -> Path:
    """SAM CLI and cfn-lint, kept apart from the runtime environment (SAM pins boto3 and click)."""
    project = bake({})
    destination = CACHE_DIR / f"tools-{fingerprint(*locks(project, 'tools'))}"
    return build_with_make(project, "tools", "TOOLS_VENV", destination)


@pytest.fixture(scope="session")
def scan_env(bake) -> Path:
    """checkov and pip-audit, in an environment of their own (checkov pins many packages)."""
    project = bake({})
    destination = CACHE_DIR / f"scan-{fingerprint(*locks(project, 'scan'))}"
    return build_with_make(project, "scanners", "SCAN_VENV", destination)


# Counts the security tests report (answer sets tried, refused, baked; checkov checks passed and
# skipped), printed at the end of the run and written to .cache/security-summary.json.
SECURITY_COUNTS: Counter[str] = Counter()
SKIP_REASONS: dict[str, str] = {}


@pytest.fixture(scope="session")
def security_counts() -> Counter[str]:
    return SECURITY_COUNTS


@pytest.fixture(scope="session")
def skip_reasons() -> dict[str, str]:
    return SKIP_REASONS


def pytest_terminal_summary(terminalreporter) -> None:
    if not SECURITY_COUNTS:
        return
    terminalreporter.section("security counts")
    for name, count in sorted(SECURITY_COUNTS.items()):
        terminalreporter.write_line(f"{name}: {count}")
    for check, reason in sorted(SKIP_REASONS.items()):
        terminalreporter.write_line(f"checkov skip {check}: {reason}")
    summary = {"counts": dict(sorted(SECURITY_COUNTS.items())), "checkov_skips": SKIP_REASONS}
    CACHE_DIR.parent.mkdir(parents=True, exist_ok=True)
    (CACHE_DIR.parent / "security-summary.json").write_text(json.dumps(summary, indent=2) + "\n")


@pytest.fixture(scope="module")
def defaults() -> dict[str, str]:
    """The default answers exactly as cookiecutter renders them (derived ones included)."""
    context = generate_context(context_file=str(REPO_ROOT / "cookiecutter.json"))
    rendered = prompt_for_config(context, no_input=True)
    names = [key for key in context["cookiecutter"] if not key.startswith("_")]
    return {name: rendered[name] for name in names}
