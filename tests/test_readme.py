"""The README's commands are the ones CI runs, and its table of answers is cookiecutter.json's,
so the documentation cannot drift from the truth."""

from __future__ import annotations

import json
import re

import jinja2

from tests.environments import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
COOKIECUTTER_JSON = json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
VARIABLES = [key for key in COOKIECUTTER_JSON if not key.startswith("_")]
# A row of the answers table: | `variable` | meaning | default | rule |
ROW = re.compile(r"^\| `(\w+)` \| (.+?) \| (.+?) \| (.+) \|$", flags=re.MULTILINE)
# One Jinja expression of a derived default, e.g. {{ cookiecutter.project_name | slugify }}.
EXPRESSION = re.compile(r"\{\{ cookiecutter\.(\w+)[^}]*\}\}")


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)


def default_for_task(default: str, task: str) -> str:
    """``default`` rendered for ``task``, any other variable left as its expression."""
    others = {name: f"{{{{ cookiecutter.{name} }}}}" for name in VARIABLES if name != "task"}
    return jinja2.Template(default).render(cookiecutter={**others, "task": task})


def documented_default(value: str | list[str]) -> str:
    """How the README's table shows a cookiecutter.json default.

    A choice's default is its first option; an empty default is "empty"; a default that is one
    derived expression reads "from `variable`"; expressions inside text become `<variable>`.
    """
    default = value[0] if isinstance(value, list) else value
    if "cookiecutter.task" in default:
        # A default that depends on the task: the first task's, then each other task's.
        first, *others = COOKIECUTTER_JSON["task"]
        shown = [f"{documented_default(default_for_task(default, first))}"]
        shown += [f"`task={task}`: {documented_default(default_for_task(default, task))}" for task in others]
        return "; ".join(shown)
    if not default:
        return "empty"
    whole = EXPRESSION.fullmatch(default)
    if whole:
        return f"from `{whole.group(1)}`"
    return "`" + EXPRESSION.sub(lambda found: f"<{found.group(1)}>", default) + "`"


def test_ci_runs_the_readme_test_command():
    ci_command = (REPO_ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci_command in shell_blocks()[1].splitlines()


def test_every_variable_is_documented_in_order():
    assert [row[0] for row in ROW.findall(README)] == VARIABLES


def test_every_default_is_the_one_cookiecutter_json_gives():
    documented = {name: default for name, _, default, _ in ROW.findall(README)}
    expected = {name: documented_default(COOKIECUTTER_JSON[name]) for name in VARIABLES}
    assert documented == expected


def test_every_choice_is_listed_in_its_rule():
    rules = {name: rule for name, _, _, rule in ROW.findall(README)}
    for name in VARIABLES:
        if isinstance(COOKIECUTTER_JSON[name], list) and name != "log_retention_days":
            # The 22 retention values are named as "CloudWatch's allowed values" instead.
            assert all(f"`{choice}`" in rules[name] for choice in COOKIECUTTER_JSON[name]), name


def test_every_variable_has_a_prompt():
    assert set(COOKIECUTTER_JSON["__prompts__"]) == set(VARIABLES)
