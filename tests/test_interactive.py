"""The template answered as a person answers it: cookiecutter in a pseudo-terminal, Enter for
every default but the trigger's number. Counts the questions asked per trigger: only those the
trigger uses (lambda_task_extensions.ask_only_what_applies), where cookiecutter alone asks all 32."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest
from cookiecutter import prompt

import lambda_task_extensions
from lambda_task_extensions import USED_ONLY_WITH
from tests.environments import REPO_ROOT

COOKIECUTTER_JSON = json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
TRIGGERS = COOKIECUTTER_JSON["trigger"]
COLD_STARTS = COOKIECUTTER_JSON["cold_start"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
QUESTION = re.compile(r"\[(\d+)/(\d+)\]")
# Questions asked for each trigger, of cookiecutter.json's 32 (all 31 there were before issue 13).
QUESTIONS_PER_TRIGGER = {"sqs": 26, "schedule": 24, "eventbridge": 24, "s3": 25, "sns": 23, "invoke": 23}


def answer_interactively(
    output: Path, config_file: Path, trigger: str, cold_start: str = "none"
) -> tuple[int, list[str]]:
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
            reply = ""
            if "What triggers the function?" in last:
                reply = str(TRIGGERS.index(trigger) + 1)
            elif "How to keep cold starts off the request path" in last:
                reply = str(COLD_STARTS.index(cold_start) + 1)
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
    for name, (choice, value) in USED_ONLY_WITH.items():
        prompt = COOKIECUTTER_JSON["__prompts__"][name]
        was_asked = any(prompt in question for question in asked)
        assert was_asked == (answers[choice] == value), name
        if not was_asked:
            assert answers[name] == COOKIECUTTER_JSON[name], f"{name} keeps its default"


def test_provisioned_containers_are_asked_only_with_provisioned_cold_starts(tmp_path, config_file):
    output = tmp_path / "out"
    output.mkdir()
    prompt = COOKIECUTTER_JSON["__prompts__"]["provisioned_concurrency"]

    exit_code, asked = answer_interactively(output, config_file, "sns", cold_start="provisioned")

    assert exit_code == 0, asked
    assert len(asked) == QUESTIONS_PER_TRIGGER["sns"] + 1
    assert any(prompt in question for question in asked)


def test_cookiecutter_of_another_shape_asks_every_question():
    """Should cookiecutter's prompt functions change, nothing is wrapped and all is asked."""

    def render_variable(env, raw, cookiecutter_dict, strict):  # one parameter more
        return raw

    def read_user_variable(var_name, default_value, prompts=None, prefix=""):
        return "asked"

    other = types.SimpleNamespace(render_variable=render_variable, read_user_variable=read_user_variable)

    assert lambda_task_extensions.ask_only_what_applies(other) is False
    assert (other.render_variable, other.read_user_variable) == (render_variable, read_user_variable)


def test_this_cookiecutter_is_wrapped():
    assert lambda_task_extensions.ask_only_what_applies() is True


def test_the_readme_gives_these_counts():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    header = re.search(r"^\| trigger \| (.+) \|$", readme, flags=re.MULTILINE)
    counts = re.search(r"^\| questions \| (.+) \|$", readme, flags=re.MULTILINE)
    assert header
    assert counts
    triggers = [cell.strip(" `") for cell in header.group(1).split("|")]
    assert dict(zip(triggers, map(int, counts.group(1).split("|")), strict=True)) == QUESTIONS_PER_TRIGGER


def test_the_readme_counts_every_question():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    variables = [name for name in COOKIECUTTER_JSON if not name.startswith("_")]
    assert f"The questions per trigger, of {len(variables)}:" in readme
    assert f"all {len(variables)} are asked" in readme


def test_another_templates_questions_are_all_asked(monkeypatch):
    """The wrapping lasts as long as the process: a template without this one's extension is
    asked every question, even one named like ours."""
    assert lambda_task_extensions.ask_only_what_applies()
    asked: list[str] = []
    monkeypatch.setattr(prompt, "read_user_choice", lambda var_name, options, *rest: options[0])
    monkeypatch.setattr(prompt.Prompt, "ask", lambda question, default: asked.append(question) or default)
    context = {"cookiecutter": {"trigger": ["http", "sqs"], "batch_size": "100", "s3_prefix": "data/"}}

    answers = prompt.prompt_for_config(context)

    assert (answers["trigger"], answers["batch_size"], answers["s3_prefix"]) == ("http", "100", "data/")
    assert len(asked) == 2
