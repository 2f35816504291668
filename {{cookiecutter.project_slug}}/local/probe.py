"""The function with local/probe_task.py in task.py's place, in a process or in this one."""

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from local import probe_task

PACKAGE = "{{ cookiecutter.package_name }}"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def package_with_probe(directory: Path) -> Path:
    """Copy the function's package into ``directory`` with the probe as its task.py.

    Returns the directory to run it from (a LAMBDA_TASK_ROOT for local.runtime.LambdaProcess).
    """
    shutil.copytree(
        PROJECT_ROOT / "src" / PACKAGE,
        directory / PACKAGE,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copyfile(Path(probe_task.__file__), directory / PACKAGE / "task.py")
    return directory


@contextmanager
def probe_as_task() -> Iterator[ModuleType]:
    """Have an import of the package's task module give the probe while the block runs."""
    name = f"{PACKAGE}.task"
    replaced = sys.modules.get(name)
    sys.modules[name] = probe_task
    try:
        yield probe_task
    finally:
        if replaced is None:
            sys.modules.pop(name, None)
        else:
            sys.modules[name] = replaced
