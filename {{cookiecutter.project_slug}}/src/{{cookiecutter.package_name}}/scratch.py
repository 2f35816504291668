"""A temporary directory per invocation, removed with everything in it when the invocation ends.

Lambda reuses a container, and its /tmp, for many invocations: a file one invocation leaves
behind takes space from every later one until /tmp is full, and may hold data that should not
outlive the message it came from. While `invocation_scratch` is active, the `tempfile` module
creates its files and directories inside the scratch directory, so the task's temporary files
(and those of libraries that use `tempfile`) go when the invocation does.
"""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def invocation_scratch() -> Iterator[Path]:
    """Create a fresh directory under the system temporary directory and yield its path.

    Until the context ends, `tempfile.gettempdir()` returns this directory. On exit, the
    directory is removed with its contents, even if the invocation failed, and `tempfile`
    goes back to its previous directory.
    """
    previous = tempfile.tempdir
    with tempfile.TemporaryDirectory(prefix="invocation-", ignore_cleanup_errors=True) as path:
        tempfile.tempdir = path
        try:
            yield Path(path)
        finally:
            tempfile.tempdir = previous
