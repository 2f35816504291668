"""Virtual environments shared by every baked project in one test session.

Baked projects differ in answers, not in dependencies, so one runtime environment and one
tools environment serve them all. Both are built by the baked project's own Makefile
(``make install`` / ``make tools``), which tests those targets too, and are kept under
``.cache/envs`` keyed by a hash of what they were built from, so a second run reuses them.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = REPO_ROOT / ".cache" / "envs"

# The oldest Lambda runtime the template offers; baked code is tested on it or newer.
MINIMUM_PROJECT_PYTHON = (3, 12)


def sandboxed_environ(**overrides: str) -> dict[str, str]:
    """Return an environment for running baked projects that can reach nothing but 127.0.0.1."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "VIRTUAL_ENV", "PYTHONPATH"))
    }
    environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - a placeholder moto accepts, not a credential
        AWS_DEFAULT_REGION="us-east-1",
        SAM_CLI_TELEMETRY="0",
        # pyenv shims resolve python3.12/3.13 only for versions listed here; harmless elsewhere.
        PYENV_VERSION=":".join(pyenv_versions()) or os.environ.get("PYENV_VERSION", ""),
    )
    environ.update(overrides)
    return environ


def pyenv_versions() -> list[str]:
    """Return the Python versions pyenv has installed, newest first (empty without pyenv)."""
    root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    versions = Path(root) / "versions"
    if not versions.is_dir():
        return []
    found = [path.name for path in versions.iterdir() if path.name[:1].isdigit()]
    return sorted(found, key=_version_key, reverse=True)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def interpreter_for(version: str) -> str | None:
    """Return a path to a working ``python<version>`` (e.g. "3.13"), or None if this machine has none."""
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    candidates = [shutil.which(f"python{version}")]
    root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += [
        str(Path(root) / "versions" / name / "bin" / f"python{version}")
        for name in pyenv_versions()
        if name.startswith(f"{version}.")
    ]
    for candidate in filter(None, candidates):
        probe = subprocess.run(  # noqa: S603 - a fixed probe of a local interpreter
            [candidate, "-c", "import sys; print(sys.version_info[:2])"],
            capture_output=True,
            text=True,
            env=sandboxed_environ(),
            check=False,
        )
        if probe.returncode == 0:
            return candidate
    return None


@functools.cache
def project_python() -> str:
    """Return the newest interpreter that can run baked projects (a supported runtime version)."""
    for minor in range(14, MINIMUM_PROJECT_PYTHON[1] - 1, -1):
        found = interpreter_for(f"3.{minor}")
        if found:
            return found
    raise RuntimeError("baked projects need Python 3.12 or newer; none was found on this machine")


def fingerprint(*parts: str | bytes) -> str:
    """Return a short stable hash of ``parts`` (the inputs an environment was built from)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def locks(project: Path, environment: str) -> list[str]:
    """The lock files a baked project's environment is installed from: pip's, then its own."""
    folder = project / "requirements"
    return [(folder / f"{name}.txt").read_text(encoding="utf-8") for name in ("pip", environment)]


def build_with_make(project: Path, target: str, variable: str, destination: Path, **extra: str) -> Path:
    """Run ``make <target> <variable>=<destination>`` in a baked project unless it was built before.

    A half-built environment (an interrupted run) is removed first, so it is never reused.
    """
    done = destination / ".complete"
    if done.exists():
        return destination
    shutil.rmtree(destination, ignore_errors=True)
    arguments = [f"{variable}={destination}", *(f"{key}={value}" for key, value in extra.items())]
    subprocess.run(  # noqa: S603 - make with arguments built here
        ["make", target, *arguments],  # noqa: S607 - make is looked up on PATH on purpose
        cwd=project,
        env=sandboxed_environ(),
        check=True,
    )
    done.touch()
    return destination


def make(project: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run a target of a baked project's Makefile; fail the calling test with its output if it fails.

    A shared environment is reinstalled when a bake's requirements differ from the last one's
    (a blank task's, say): PYTHON names the interpreter that environment was made with.
    """
    completed = subprocess.run(  # noqa: S603 - make with arguments built by the tests
        ["make", *arguments],  # noqa: S607 - make is looked up on PATH on purpose
        cwd=project,
        env=sandboxed_environ(PYTHON=project_python()),
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, f"make {' '.join(arguments)}:\n{completed.stdout}\n{completed.stderr}"
    return completed
