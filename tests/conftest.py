"""Fixtures shared by the template's tests: baking, and the environments baked projects share."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.environments import CACHE_DIR, build_with_make, fingerprint, project_python


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
    inputs = [(project / name).read_text() for name in ("requirements-dev.txt", "src/requirements.txt")]
    destination = CACHE_DIR / f"project-{fingerprint(python, *inputs)}"
    return build_with_make(project, "install", "VENV", destination, PYTHON=python)


@pytest.fixture(scope="session")
def tools_env(bake) -> Path:
    """SAM CLI and cfn-lint, kept apart from the runtime environment (SAM pins boto3 and click)."""
    project = bake({})
    destination = CACHE_DIR / f"tools-{fingerprint((project / 'Makefile').read_text())}"
    return build_with_make(project, "tools", "TOOLS_VENV", destination)
