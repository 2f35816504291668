"""Bake a project from a Backstage form's answers with the real cookiecutter CLI, hooks and all.

.github/workflows/bake.yml runs this with the answers Backstage's template dispatches (ANSWERS, one
JSON object) and the repository to publish to (REPOSITORY, Backstage's
``github.com?owner=ORG&repo=NAME``). It runs exactly what a terminal user would:

    cookiecutter --no-input --output-dir OUT <this template> name=value ...

so pre_gen_project.py checks every answer (a refused one fails the run, with the hook's message in
its log) and post_gen_project.py prunes the options' files. An answer left out of the form is left
out here too, so cookiecutter derives or defaults it as it does for the CLI. The project's
directory, and the repository's owner and name, go to GITHUB_OUTPUT for the steps that publish.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs

TEMPLATE = Path(__file__).resolve().parent.parent
# The form's own fields, which are not answers.
FORM_ONLY = frozenset({"repoUrl"})
# GitHub's rules: an owner is letters, digits and single inner hyphens (at most 39); a repository
# name letters, digits, ".", "_" and "-" (at most 100), and not "." or "..".
OWNER = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}")
REPOSITORY_NAME = re.compile(r"(?!\.\.?\Z)[A-Za-z0-9._-]{1,100}")


class AnswersError(ValueError):
    """The dispatched inputs cannot be turned into a cookiecutter run."""


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
    # Cookiecutter ignores a name it does not know: a misspelt answer would vanish without a word.
    unknown = sorted(name for name in names if name.startswith("_") or name not in known)
    if unknown:
        raise AnswersError(f"not answers of this template: {', '.join(unknown)}")
    arguments = []
    for name in sorted(names, key=list(known).index):
        value = answers[name]
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise AnswersError(f"{name}: {value!r} is neither text nor a whole number")
        arguments.append(f"{name}={value}")
    return arguments


def repository(repo_url: str) -> tuple[str, str]:
    """The owner and name in Backstage's ``github.com?owner=ORG&repo=NAME``."""
    host, _, query = repo_url.partition("?")
    fields = parse_qs(query)
    owner, name = fields.get("owner", [""])[0], fields.get("repo", [""])[0]
    if host != "github.com" or not OWNER.fullmatch(owner) or not REPOSITORY_NAME.fullmatch(name):
        raise AnswersError(
            f"REPOSITORY {repo_url!r} is not github.com?owner=ORG&repo=NAME with GitHub's names"
        )
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
        owner, name = repository(os.environ["REPOSITORY"])
        arguments = cookiecutter_arguments(os.environ["ANSWERS"])
    except AnswersError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        project = bake(arguments, Path(sys.argv[1]))
    except subprocess.CalledProcessError as error:
        return error.returncode  # the hook has said why, above
    with open(os.environ.get("GITHUB_OUTPUT", os.devnull), "a", encoding="utf-8") as outputs:
        outputs.write(f"project={project}\nowner={owner}\nrepo={name}\n")
    print(f"Baked {project.name} for github.com/{owner}/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
