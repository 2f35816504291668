"""Remove the files of options that were not chosen; nothing else.

Cookiecutter deletes the whole project when this hook fails, so it does only what cannot fail
on a directory it has just written: removing files it knows are there. Jinja appears only in
the string literal below, so this file is plain Python before rendering too.
"""

from pathlib import Path

IDEMPOTENCY = "{{ cookiecutter.idempotency }}"
PACKAGE = Path("src") / "{{ cookiecutter.package_name }}"

# Files that only one answer uses: (file, the answer it belongs to).
OPTIONAL_FILES = [
    (PACKAGE / "idempotency.py", IDEMPOTENCY == "on"),
]

for path, wanted in OPTIONAL_FILES:
    if not wanted:
        path.unlink(missing_ok=True)
