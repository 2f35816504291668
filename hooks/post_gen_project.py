"""Remove the files that belong to options the answers did not choose.

Cookiecutter renders every file of the template; the few that exist for one answer only are
deleted here, after generation. When a post-generation hook fails, cookiecutter deletes the
whole project, so this one only removes files that may already be absent. It asks nothing and
reaches no network and no git repository: cruft runs it again on every update (rendering the
old and the new template to compute the change), and the same answers must give the same tree.

Jinja appears only inside string literals, so this file is plain Python before rendering too: the template's tests import it and call `unwanted_files` directly.
"""

import json
import sys
from collections.abc import Mapping
from pathlib import Path

# The answers this hook reads, as JSON text (see pre_gen_project.py for why it is quoted so).
RENDERED_ANSWERS = {
    "trigger": r""" {{ cookiecutter.trigger | tojson }} """,
    "task": r""" {{ cookiecutter.task | tojson }} """,
    "catalog_entry": r""" {{ cookiecutter.catalog_entry | tojson }} """,
    "idempotency": r""" {{ cookiecutter.idempotency | tojson }} """,
    "cold_start": r""" {{ cookiecutter.cold_start | tojson }} """,
    "secret_name": r""" {{ cookiecutter.secret_name | tojson }} """,
}

# Every trigger but sqs invokes the function asynchronously, so they share the files for that.
ASYNCHRONOUS_TRIGGERS = ("schedule", "eventbridge", "s3", "sns", "invoke")

# A file of the generated project -> (the variable, and the answers that keep the file). The
# package directory's name is rendered like the template's own (a validated identifier).
OPTIONAL_FILES = {
    "catalog-info.yaml": ("catalog_entry", ("backstage",)),
    "src/{{cookiecutter.package_name}}/idempotency.py": ("idempotency", ("on",)),
    "tests/integration/test_snapstart.py": ("cold_start", ("snapstart",)),
    **{f"events/{trigger}.json": ("trigger", (trigger,)) for trigger in ("sqs", *ASYNCHRONOUS_TRIGGERS)},
    "local/queue.py": ("trigger", ("sqs",)),
    "tests/integration/test_handler.py": ("trigger", ("sqs",)),
    "tests/runtime/test_faults.py": ("trigger", ("sqs",)),
    "local/async_invoke.py": ("trigger", ASYNCHRONOUS_TRIGGERS),
    "tests/integration/test_async_handler.py": ("trigger", ASYNCHRONOUS_TRIGGERS),
    "tests/runtime/test_async_faults.py": ("trigger", ASYNCHRONOUS_TRIGGERS),
    # The worked example's faults of its target; a blank task has no target.
    "tests/runtime/test_task_faults.py": ("task", ("http_delivery",)),
}


# The secret's cache and the tests that read a secret: kept when secret_name is not empty.
SECRET_FILES = [
    "src/{{cookiecutter.package_name}}/secret_cache.py",
    "tests/unit/test_secret_cache.py",
    "tests/runtime/test_init_limit.py",
]


# The client of AWS's JSON protocol (aws_json.py, signed by sigv4.py) and its tests: kept when
# the machinery calls AWS (the secret's read, the idempotency ledger).
AWS_CLIENT_FILES = [
    "src/{{cookiecutter.package_name}}/aws_json.py",
    "src/{{cookiecutter.package_name}}/sigv4.py",
    "tests/unit/test_aws_json.py",
    "tests/unit/test_sigv4.py",
]


def unwanted_files(answers: Mapping[str, str]) -> list[str]:
    """Return the optional files (relative to the project) that ``answers`` did not ask for."""
    unwanted = [path for path, (variable, keep) in OPTIONAL_FILES.items() if answers[variable] not in keep]
    if not answers["secret_name"]:
        unwanted += SECRET_FILES
    if not answers["secret_name"] and answers["idempotency"] != "on":
        unwanted += AWS_CLIENT_FILES
    return unwanted


def prune(project: Path, answers: Mapping[str, str]) -> None:
    """Delete the unwanted optional files of ``project``; a file already gone is fine."""
    for relative in unwanted_files(answers):
        (project / relative).unlink(missing_ok=True)


def main() -> int:
    """Prune the project cookiecutter just generated (the hook's working directory)."""
    answers = {name: str(json.loads(text)) for name, text in RENDERED_ANSWERS.items()}
    prune(Path.cwd(), answers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
