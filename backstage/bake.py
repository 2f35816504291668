"""Bake a project from a Backstage form's answers with the real cookiecutter CLI, hooks and all.

.github/workflows/bake.yml runs this with the answers Backstage's template dispatches (ANSWERS, one
JSON object), the repository to publish to (REPOSITORY, Backstage's
``github.com?owner=ORG&repo=NAME``) and the one owner it may be in (ALLOWED_OWNER, the template
repository's). It runs exactly what a terminal user would:

    cookiecutter --no-input --output-dir OUT <this template> name=value ...

so pre_gen_project.py checks every answer (a refused one fails the run, with the hook's message in
its log) and post_gen_project.py prunes the options' files. An answer left out of the form is left
out here too, so cookiecutter derives or defaults it as it does for the CLI. Before that, what
cookiecutter would not report clearly, or would run, is refused here. The project's directory,
and the repository's owner and name, go to GITHUB_OUTPUT for the steps that publish.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

# Beside this script: the publish job runs it on its own, without cookiecutter.
from publish_check import OWNER, REPOSITORY_NAME, TEMPLATE, pre_generation_hook

sys.path.insert(0, str(TEMPLATE))
from lambda_task_extensions import USED_ONLY_WITH  # the template's own module, beside it

# Answers that name directories: cookiecutter makes the project's directory, and src/<package>,
# from them before the pre-generation hook runs, so "../../x" would leave directories outside
# the output. They are checked here by the hook's own rules first.
PATH_ANSWERS = ("project_slug", "package_name")

# The form's own fields, which are not answers.
FORM_ONLY = frozenset({"repoUrl"})
# Cookiecutter renders each answer as a Jinja template before any hook sees it: such an answer
# could run code here, where the next job's token is a step away.
TEMPLATE_SYNTAX = re.compile(r"\{[{%#]")


class AnswersError(ValueError):
    """The dispatched inputs cannot be turned into a cookiecutter run."""


def answer_problem(name: str, value: Any, known: dict[str, Any]) -> str | None:
    """What cookiecutter would do wrong with this answer (the hook checks the rest)."""
    if name.startswith("_") or name not in known:
        # Cookiecutter ignores a name it does not know: a misspelt answer would vanish silently.
        return "is not an answer of this template"
    if isinstance(value, bool) or not isinstance(value, str | int):
        return f"{value!r} is neither text nor a whole number"
    text = str(value)
    if TEMPLATE_SYNTAX.search(text):
        return "contains template syntax ({{, {% or {#), which cookiecutter would run"
    if "\0" in text:
        return "contains a NUL character"
    options = known[name]
    if isinstance(options, list) and text not in options:
        # Cookiecutter refuses it too, but with a traceback before any hook runs.
        return f"{text!r} is not one of {', '.join(options)}"
    if name in PATH_ANSWERS:
        return pre_generation_hook().CHECKS[name](text)
    return None


def used(name: str, answers: dict[str, Any], known: dict[str, Any]) -> bool:
    """Whether the choices made use this answer; the form hides it otherwise, but keeps its value."""
    choice, value = USED_ONLY_WITH.get(name, ("", ""))
    return not choice or str(answers.get(choice, known[choice][0])) == value


def cookiecutter_arguments(answers_json: str) -> list[str]:
    """The ``name=value`` arguments of the CLI run for a form's answers."""
    try:
        answers = json.loads(answers_json)
    except json.JSONDecodeError as error:
        raise AnswersError(f"ANSWERS is not JSON: {error}") from error
    if not isinstance(answers, dict):
        raise AnswersError("ANSWERS must be one JSON object of name: value")
    known = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    names = set(answers) - FORM_ONLY
    problems = [
        f"{name}: {problem}"
        for name in sorted(names)
        if (problem := answer_problem(name, answers[name], known))
    ]
    if problems:
        raise AnswersError("; ".join(problems))
    shown = [name for name in known if name in names and used(name, answers, known)]
    return [f"{name}={answers[name]}" for name in shown]


def repository(repo_url: str, allowed_owner: str) -> tuple[str, str]:
    """The owner and name in Backstage's ``github.com?owner=ORG&repo=NAME``."""
    host, _, query = repo_url.partition("?")
    fields = parse_qs(query, keep_blank_values=True)
    # Exactly one owner and one name, nothing else: with "owner=a&owner=b" which is meant is a guess.
    owners, names = fields.pop("owner", []), fields.pop("repo", [])
    owner, name = (owners[0], names[0]) if len(owners) == len(names) == 1 else ("", "")
    well_formed = host == "github.com" and not fields
    if not well_formed or not OWNER.fullmatch(owner) or not REPOSITORY_NAME.fullmatch(name):
        raise AnswersError(
            f"REPOSITORY {repo_url!r} is not github.com?owner=ORG&repo=NAME, with GitHub's names"
        )
    if owner.lower() != allowed_owner.lower():  # GitHub's owner names ignore case
        raise AnswersError(f"REPOSITORY: new repositories go in {allowed_owner}, not {owner}")
    return owner, name


def bake(arguments: list[str], output_dir: Path) -> Path:
    """Run the cookiecutter CLI; return the project's directory."""
    output_dir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir", str(output_dir)]
    subprocess.run([*command, str(TEMPLATE), *arguments], check=True)  # noqa: S603 - argv, no shell
    (project,) = output_dir.iterdir()
    return project


def main() -> int:
    try:
        owner, name = repository(os.environ["REPOSITORY"], os.environ["ALLOWED_OWNER"])
        arguments = cookiecutter_arguments(os.environ["ANSWERS"])
    except AnswersError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        project = bake(arguments, Path(sys.argv[1]))
    except subprocess.CalledProcessError as error:
        return error.returncode  # the hook has said why, above
    with open(os.environ.get("GITHUB_OUTPUT", os.devnull), "a", encoding="utf-8") as outputs:
        outputs.write(f"project={project.name}\nowner={owner}\nrepo={name}\n")
    print(f"Baked {project.name} for github.com/{owner}/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
