"""Check, in the job that holds the publishing token, every value the bake job passed to it.

The bake job renders answers from whoever filled in the form, so the publish job trusts none of
its outputs: the repository's owner and name must be GitHub's names and the owner this template
repository's, and the project's directory a slug the template's hook accepts. Standard library
only, so that this job installs nothing. bake.py checks the same with the same rules.

    PROJECT=... OWNER=... REPO=... ALLOWED_OWNER=... python backstage/publish_check.py
    PROJECT=... python backstage/publish_check.py project.tgz   # the baked tarball
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import tarfile
from pathlib import Path
from types import ModuleType

TEMPLATE = Path(__file__).resolve().parent.parent
# GitHub's rules: an owner is letters, digits and single inner hyphens (at most 39); a repository
# name letters, digits, ".", "_" and "-" (at most 100), and not "." or "..". A name ending in
# ".git" is refused too: clone and push URLs drop that suffix, so it could name another repository.
OWNER = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}")
REPOSITORY_NAME = re.compile(r"(?!\.\.?\Z)(?!.*\.git\Z)[A-Za-z0-9._-]{1,100}", re.IGNORECASE)


def pre_generation_hook() -> ModuleType:
    """The template's pre-generation hook, imported as plain Python (its Jinja sits in strings)."""
    path = TEMPLATE / "hooks" / "pre_gen_project.py"
    spec = importlib.util.spec_from_file_location("pre_gen_project", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the template's hook from {path}")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    return hook


def problems(project: str, owner: str, repo: str, allowed_owner: str) -> list[str]:
    """What is wrong with the values the publish job would use, if anything."""
    found = []
    if not OWNER.fullmatch(owner) or owner.lower() != allowed_owner.lower():
        found.append(f"OWNER {owner!r} is not {allowed_owner}")
    if not REPOSITORY_NAME.fullmatch(repo):
        found.append(f"REPO {repo!r} is not a GitHub repository name")
    if problem := pre_generation_hook().CHECKS["project_slug"](project):
        found.append(f"PROJECT {project!r}: {problem}")
    return found


def tarball_problems(tarball: Path, project: str) -> list[str]:
    """What in the baked tarball is not a plain file or directory of the project's tree."""
    found = []
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            # tar -C baked . names them ./, ./<project>, ./<project>/...
            parts = [part for part in member.name.split("/") if part not in ("", ".")]
            inside = not member.name.startswith("/") and parts[:1] in ([], [project])
            if not inside or ".." in parts or ".git" in parts:
                found.append(f"{member.name!r} is not a path of the project {project!r}")
            elif not (member.isfile() or member.isdir()):
                found.append(f"{member.name!r} is a link or a device, not a file of the project")
    return found


def main() -> int:
    """Exit non-zero, naming each bad value, unless every value is as bake.py made it."""
    project = os.environ.get("PROJECT", "")
    if len(sys.argv) > 1:
        found = tarball_problems(Path(sys.argv[1]), project)
    else:
        found = problems(
            project,
            os.environ.get("OWNER", ""),
            os.environ.get("REPO", ""),
            os.environ.get("ALLOWED_OWNER", ""),
        )
    for problem in found:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
