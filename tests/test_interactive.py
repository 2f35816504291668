"""The template answered as a person answers it: cookiecutter in a pseudo-terminal, Enter for
every default but the trigger's number. Counts the questions asked per trigger, the figure
issue 13 sets out to lower (only the questions that apply to the trigger chosen)."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.environments import REPO_ROOT

TRIGGERS = json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))["trigger"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
QUESTION = re.compile(r"\[(\d+)/(\d+)\]")
# Questions asked today, for every trigger: each variable of cookiecutter.json.
QUESTIONS_PER_TRIGGER = dict.fromkeys(TRIGGERS, 31)


def answer_interactively(output: Path, config_file: Path, trigger: str) -> tuple[int, list[str]]:
    """Run cookiecutter in a pseudo-terminal; return its exit code and the questions it asked."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen(  # noqa: S603 - the cookiecutter CLI of this environment
        [str(Path(sys.executable).parent / "cookiecutter"), "--output-dir", str(output), str(REPO_ROOT)],
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env={**os.environ, "COOKIECUTTER_CONFIG": str(config_file), "COLUMNS": "200"},
        close_fds=True,
    )
    os.close(secondary)
    screen, asked, answered = "", [], 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([primary], [], [], 0.2)
        if not ready:
            if process.poll() is not None:
                break
            continue
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closed: cookiecutter has ended
            break
        screen += ANSI.sub("", chunk.decode(errors="replace"))
        questions = list(QUESTION.finditer(screen))
        if len(questions) > answered and screen.rstrip(" ").endswith(":"):
            last = screen[questions[-1].start() :]
            asked.append(last.splitlines()[0])
            reply = str(TRIGGERS.index(trigger) + 1) if "What triggers the function?" in last else ""
            os.write(primary, reply.encode() + b"\r")
            answered = len(questions)
    os.close(primary)
    return process.wait(timeout=60), asked


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "cookiecutter.yaml"
    config = {"cookiecutters_dir": str(tmp_path / "cookiecutters"), "replay_dir": str(tmp_path / "replay")}
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_the_questions_asked_for_each_trigger(tmp_path, config_file, trigger):
    output = tmp_path / "out"
    output.mkdir()

    exit_code, asked = answer_interactively(output, config_file, trigger)

    assert exit_code == 0, asked
    (project,) = output.iterdir()
    answers = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))["cookiecutter"]
    assert answers["trigger"] == trigger
    assert len(asked) == QUESTIONS_PER_TRIGGER[trigger]
