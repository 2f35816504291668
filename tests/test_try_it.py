"""README.md's "Try it", run as written: a new user's first command, on this machine as it is.

The machine has no Python 3.14 (the default project's runtime), as most machines today: the
first command must still run the function end to end, on the newest supported Python found,
and say that the version differs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

from tests.environments import REPO_ROOT, sandboxed_environ


def try_it_commands() -> str:
    """The first shell block of README.md's "Try it" section."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Try it\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)


def test_the_first_command_runs_the_default_project_end_to_end(tmp_path):
    clone = tmp_path / "clone"
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],  # noqa: S607
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():  # a file deleted in the work tree is listed but absent
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    environ = sandboxed_environ(TMPDIR=str(tmp_path))
    # As a user's shell has it: pyenv's inactive versions are not on the shims.
    del environ["PYENV_VERSION"]

    completed = subprocess.run(  # noqa: S603 - the README's own commands
        ["bash", "-euo", "pipefail", "-c", try_it_commands()],  # noqa: S607
        cwd=clone,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )

    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    # The batch response: the sample's one record the receiver refuses, and no other.
    assert "batch processed: 3 received, 1 failed" in completed.stdout, output
    one_failure = r'"batchItemFailures": \[\s*\{\s*"itemIdentifier": "[^"]+"\s*\}\s*\]'
    assert re.search(one_failure, completed.stdout), output
    # Whether this machine has the runtime's Python, asked as the project's Makefile asks it.
    (finder,) = tmp_path.glob("*/webhook-relay/local/find_python.py")
    exact = subprocess.run(  # noqa: S603 - the baked project's own finder
        [sys.executable, str(finder), "--exact"], env=environ, capture_output=True, check=False
    )
    if exact.returncode != 0:
        assert "warning: Python 3.14 (the function's Lambda runtime) was not found" in completed.stderr
        assert re.search(r"runs Python 3\.1[23], not 3\.14", completed.stderr), output
    else:
        assert "make: warning" not in completed.stderr, output
