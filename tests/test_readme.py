"""The README's commands are the ones CI runs, so the documentation cannot drift from the truth."""

from __future__ import annotations

import json
import re

from tests.environments import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)


def test_ci_runs_the_readme_test_command():
    ci_command = (REPO_ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci_command in shell_blocks()[1].splitlines()


def test_every_variable_is_documented():
    variables = [
        key for key in json.loads((REPO_ROOT / "cookiecutter.json").read_text()) if not key.startswith("_")
    ]
    documented = re.findall(r"^\| `(\w+)` \|", README, flags=re.MULTILINE)
    assert documented == variables
