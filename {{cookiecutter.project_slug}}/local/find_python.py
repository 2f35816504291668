"""The Python that creates .venv: the function's runtime version, or the newest one it supports.

Tests that pass on Python {{ cookiecutter.python_version }} say the most about Lambda's python{{ cookiecutter.python_version }} runtime, so that
version wins wherever this machine has it: on PATH, among uv's or pyenv's installed versions.
Without it, `make run` and the tests still work on the newest of Python 3.12 to 3.14 found (the
versions the function's code and pinned dependencies support), and a one-line warning names the
difference. With --exact (CI) only the runtime's version is taken.

Prints the interpreter's path; prints nothing, and says why on stderr, when there is none.
Run by whatever python3 the machine has, before .venv exists: the standard library only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

RUNTIME = ({{ cookiecutter.python_version.replace(".", ", ") }})
SUPPORTED = ((3, 14), (3, 13), (3, 12))  # newest first


def dotted(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def on_path() -> list[str]:
    names = [f"python{dotted(version)}" for version in SUPPORTED] + ["python3", "python"]
    return [path for path in map(shutil.which, names) if path]


def installed_by_uv() -> list[str]:
    """The interpreters uv finds for each supported version (its own and the system's), offline."""
    if not shutil.which("uv"):
        return []
    found = []
    for version in SUPPORTED:
        completed = subprocess.run(  # noqa: S603 - uv, asked where an interpreter is
            ["uv", "python", "find", "--no-project", "--offline", dotted(version)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
            # Not an active virtual environment, which uv would name first: an interpreter.
            env={name: value for name, value in os.environ.items() if name != "VIRTUAL_ENV"},
        )
        if completed.returncode == 0 and completed.stdout.strip():
            found.append(completed.stdout.strip())
    return found


def installed_by_pyenv() -> list[str]:
    """pyenv's installed versions, newest patch first, called directly: its shims answer only for
    the active ones. Free-threaded builds (3.13.0t) are left out: not what Lambda runs."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = []
    for version in SUPPORTED:
        builds = [
            path
            for path in root.glob(f"versions/{dotted(version)}.*/bin/python{dotted(version)}")
            if path.parent.parent.name.replace(".", "").isdigit()
        ]
        found += sorted(builds, key=lambda path: patch_level(path.parent.parent.name), reverse=True)
    return [str(path) for path in found]


def patch_level(name: str) -> int:
    """The patch level of a pyenv version directory's name: 12 for 3.12.12."""
    return int(name.rsplit(".", 1)[-1])


def version_of(interpreter: str) -> tuple[int, int] | None:
    """The interpreter's version, or None if it does not start (a shim of an inactive version)."""
    completed = subprocess.run(  # noqa: S603 - a fixed probe of a local interpreter
        [interpreter, "-c", "import sys; print(*sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = completed.stdout.splitlines()
    if completed.returncode != 0 or not lines:
        return None
    # The last line: a sitecustomize or a shim may print before the probe does.
    major, minor = map(int, lines[-1].split())
    return major, minor


def find(exact: bool) -> tuple[str, tuple[int, int]] | None:
    versions: dict[tuple[int, int], str] = {}
    for interpreter in on_path() + installed_by_uv() + installed_by_pyenv():
        version = version_of(interpreter)
        if version in SUPPORTED and version not in versions:
            versions[version] = interpreter
    for version in (RUNTIME,) if exact else (RUNTIME, *SUPPORTED):
        if version in versions:
            return versions[version], version
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exact", action="store_true", help="take only the runtime's version")
    exact = parser.parse_args().exact
    runtime = dotted(RUNTIME)
    install = f"install it (uv python install {runtime}, or pyenv install {runtime})"
    found = find(exact)
    if found is None:
        wanted = f"Python {runtime}" if exact else f"Python {runtime} or another of 3.12 to 3.14"
        name_one = "or name one: PYTHON=/path/to/python"
        print(f"make: {wanted} was not found; {install}, {name_one}", file=sys.stderr)
        return 1
    interpreter, version = found
    if version != RUNTIME:
        print(
            f"make: warning: Python {runtime} (the function's Lambda runtime) was not found, so"
            f" .venv uses Python {dotted(version)} ({interpreter}): the tests prove less about"
            f" Lambda's runtime; {install} and delete .venv",
            file=sys.stderr,
        )
    print(interpreter)
    return 0


if __name__ == "__main__":
    sys.exit(main())
