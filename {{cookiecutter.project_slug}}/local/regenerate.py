"""Generate this project again from its template and its answers, asking nothing.

``make regenerate TEMPLATE=<template> [CHECKOUT=<tag>] [OUT=<directory>]`` runs this with the
tools environment's cookiecutter. Every answer in ``.cookiecutter.json`` is given as a
``--no-input`` answer would be, so no question is asked, not even one the file lacks because a
later release added it: that answer takes its default (an organisation's user config included),
and is named here. The template's own keys (``_extensions``, ...) come from the template, not from
the file, so a replay file of any release works with the newest template. Compare the result with
this project (``diff -ru``) to see the template's changes and your edits.
"""

import json
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter


def answers_in(replay_file: Path) -> dict[str, object]:
    """Return the answers of a replay file, without the template's private keys."""
    answers = json.loads(replay_file.read_text(encoding="utf-8"))["cookiecutter"]
    return {name: value for name, value in answers.items() if not name.startswith("_")}


def main(template: str, checkout: str, output_dir: str) -> None:
    given = answers_in(Path(".cookiecutter.json"))
    output = output_dir or tempfile.mkdtemp(prefix="regenerated-")
    made = cookiecutter(
        template, checkout=checkout or None, no_input=True, extra_context=given, output_dir=output
    )
    project = Path(made)
    taken = answers_in(project / ".cookiecutter.json")
    for name in sorted(taken.keys() - given.keys()):
        print(f"{name}: not in .cookiecutter.json (new in the template): took {taken[name]!r}")
    for name in sorted(given.keys() - taken.keys()):
        print(f"{name}: no longer a question of the template: dropped")
    print(f"Regenerated into {project}; compare with this project:")
    print(f"  diff -ru --exclude=.git --exclude='.venv*' {project} .")


if __name__ == "__main__":
    main(*sys.argv[1:4])
