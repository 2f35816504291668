"""Jinja filters of the template: free-text answers into string literals safe in YAML, TOML and
Python (``quoted``), a JSON answer into YAML (``json_flow``), the answers into a replay file
(``replay_json``) and literal text in an IAM resource (``iam_literal``).

Cookiecutter loads this module through ``_extensions`` in ``cookiecutter.json``, in its own
process, and makes the extension before its first question and before any hook runs. So the
extension also makes the two changes to cookiecutter's own behaviour: an interactive run skips
the questions the answers so far do not use (``ask_only_what_applies``), and a refused run ends
without a traceback of cookiecutter's code (``QuietRefusal``).

``cruft update`` renders a project's old commit and the template's new one in one process, from
one clone, and Python imports a module once: so each extension made forgets this module
(``forget_this_module``), and the next render imports the file then on disk. The template's
releases up to 0.1.0 named the module ``local_extensions``, which their own render leaves cached,
and so this one has another name (CHANGELOG, 1.0.0).
"""

import contextlib
import inspect
import json
import logging
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from cookiecutter import prompt
from cookiecutter.exceptions import FailedHookException
from jinja2.ext import Extension

# Answers that only one value of a choice uses. The hook checks them whatever was chosen; an
# interactive run asks them only after that choice (ask_only_what_applies), and so does the
# Backstage form (backstage_template.py).
USED_ONLY_WITH: dict[str, tuple[str, str]] = {
    "batch_size": ("trigger", "sqs"),
    "max_receive_count": ("trigger", "sqs"),
    "sqs_maximum_concurrency": ("trigger", "sqs"),
    "schedule_expression": ("trigger", "schedule"),
    "event_pattern": ("trigger", "eventbridge"),
    "s3_prefix": ("trigger", "s3"),
    "s3_suffix": ("trigger", "s3"),
    "provisioned_concurrency": ("cold_start", "provisioned"),
    "catalog_owner": ("catalog_entry", "backstage"),
}

# Keys cookiecutter and cruft add to the context while generating: where the template, its clone
# and the output were on one machine, and at which commit. They are not answers; a replay file
# without them regenerates the same project anywhere.
GENERATION_KEYS = frozenset({"_template", "_output_dir", "_repo_dir", "_checkout", "_commit"})

_SIMPLE_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def quoted(value: object) -> str:
    """Return ``value`` as a double-quoted string literal valid in YAML, TOML and Python alike.

    The three languages share ``\\"``, ``\\\\``, ``\\n``, ``\\t``, ``\\r``, ``\\uXXXX`` and
    ``\\UXXXXXXXX``; anything unprintable (control characters, line separators, lone
    surrogates) is written with the last two, so no answer can end the string early.
    """
    text = str(value)
    parts = []
    for char in text:
        if char in _SIMPLE_ESCAPES:
            parts.append(_SIMPLE_ESCAPES[char])
        elif char.isprintable():
            parts.append(char)
        elif ord(char) <= 0xFFFF:
            parts.append(f"\\u{ord(char):04x}")
        else:
            parts.append(f"\\U{ord(char):08x}")
    return '"' + "".join(parts) + '"'


def json_flow(text: str) -> str:
    """Return the JSON document ``text`` as a YAML flow collection, every string `quoted`.

    JSON is nearly YAML, but not where it matters here: YAML reads a \\u escape of a surrogate
    pair as two lone surrogates. The hook has checked that ``text`` is JSON.
    """
    return _flow(json.loads(text))


def _flow(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{quoted(key)}: {_flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    if isinstance(value, str):
        return quoted(value)
    return json.dumps(value)  # numbers, true, false and null are the same in both


# IAM reads "*" and "?" in a resource as wildcards and "${" as the start of a policy variable;
# these policy variables stand for the characters themselves (IAM User Guide, "IAM policy
# elements: Variables and tags", "Special characters").
_IAM_SPECIAL = {"$": "${$}", "*": "${*}", "?": "${?}"}


def iam_literal(text: str) -> str:
    """Return ``text`` so that an IAM resource matches it literally (an S3 key filter, say).

    An object key filter of "a*" means the key starts with "a*"; written as it is in a policy it
    would grant every key that starts with "a".
    """
    return "".join(_IAM_SPECIAL.get(char, char) for char in text)


def replay_json(context: Mapping[str, object]) -> str:
    """Return the answers in ``context`` (the ``cookiecutter`` variable) as a replay file's JSON.

    The result is what ``cookiecutter --replay-file`` reads: ``{"cookiecutter": {...}}`` with
    every answer and the template's own private keys (``_extensions``), in prompt order, and
    without GENERATION_KEYS, so the same answers always give the same text.
    """
    answers = {key: value for key, value in context.items() if key not in GENERATION_KEYS}
    return json.dumps({"cookiecutter": answers}, indent=2, ensure_ascii=False)


def applies(name: str, answers: Mapping[str, object]) -> bool:
    """Whether the answers so far use the answer ``name`` (a choice not yet made counts as yes)."""
    choice, value = USED_ONLY_WITH.get(name, ("", ""))
    return not choice or answers.get(choice, value) == value


# The shapes of the two cookiecutter functions ask_only_what_applies wraps, as cookiecutter 2.x has
# them; any other shape and nothing is wrapped.
RENDER_PARAMETERS = ["env", "raw", "cookiecutter_dict"]
ASK_PARAMETERS = ["var_name", "default_value", "prompts", "prefix"]


def parameters(function: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(function).parameters)


def ask_only_what_applies(module: ModuleType = prompt) -> bool:
    """Make cookiecutter's questions skip the answers the choices so far do not use.

    Cookiecutter 2.7 has no conditional questions (its issues #1021 and #1914 are open). Its
    prompt_for_config renders each question's default with ``render_variable(env, raw,
    cookiecutter_dict)``, ``cookiecutter_dict`` holding the answers so far, then asks with
    ``read_user_variable``. Wrapped, the first shows the answers to the second, which gives a
    question the answers do not use its default without asking (a default a user config or
    ``key=value`` set included). Runs that ask nothing (``--no-input``, a replay file with every
    answer, ``cruft update``, pytest-cookies) never call ``read_user_variable``, so their answers
    are exactly what they were; interactive ``cruft create`` asks as cookiecutter does. Another
    template's questions are all asked. Returns whether the functions were wrapped: if
    cookiecutter's have another shape they are not, and every question is asked.
    """
    render, ask = module.render_variable, module.read_user_variable
    if getattr(ask, "asks_only_what_applies", False):
        return True
    if parameters(render) != RENDER_PARAMETERS or parameters(ask) != ASK_PARAMETERS:
        return False
    # The answers so far of this template's questions; None while another template's are asked
    # (the wrapping lasts as long as the process, and a name like batch_size is no one's own).
    answers: Mapping[str, object] | None = None

    def render_variable(env: Any, raw: Any, cookiecutter_dict: dict[str, Any]) -> Any:
        nonlocal answers
        ours = any(is_this_extension(extension) for extension in env.extensions.values())
        answers = cookiecutter_dict if ours else None
        return render(env, raw, cookiecutter_dict)

    def read_user_variable(var_name: str, default_value: Any, prompts: Any = None, prefix: str = "") -> Any:
        if answers is not None and not applies(var_name, answers):
            return default_value
        return ask(var_name, default_value, prompts, prefix)

    read_user_variable.asks_only_what_applies = True  # type: ignore[attr-defined]
    module.render_variable = render_variable
    module.read_user_variable = read_user_variable
    return True


class QuietRefusal(logging.Filter):
    """Drop the traceback cookiecutter logs when a hook script exits non-zero.

    When pre_gen_project.py refuses answers it has already printed every problem and the command
    to run again; cookiecutter then logs "Stopping generation ..." with a traceback of its own
    code (hooks.run_hook_from_repo_dir calls logger.exception), which only buries them. The
    message line stays. Other errors (a template that fails to render) keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], FailedHookException):
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_refusals() -> None:
    """Add a QuietRefusal to cookiecutter's hook logger, unless one (of any import) is there."""
    hooks_logger = logging.getLogger("cookiecutter.hooks")
    if not any(type(known).__name__ == QuietRefusal.__name__ for known in hooks_logger.filters):
        hooks_logger.addFilter(QuietRefusal())


def is_this_extension(extension: Extension) -> bool:
    """Whether ``extension`` is this template's, made from this import of the module or another.

    Each extension made forgets the module, so one process may hold several imports of it.
    """
    kind = type(extension)
    return (kind.__module__, kind.__qualname__) == (__name__, QuotingExtension.__qualname__)


def forget_this_module() -> None:
    """Make the next ``import`` of this module read the file then on disk, and its bytecode too.

    ``cruft update`` renders the project's old commit, then the new one, in one directory of one
    process: the second render must not get the first one's filters (cruft issue #253). Python
    trusts bytecode whose source has the same size and modification second, which two checkouts
    of this file a second apart can share, so the bytecode goes as well.
    """
    sys.modules.pop(__name__, None)
    with contextlib.suppress(OSError, TypeError):  # a read-only checkout, or no bytecode written
        Path(__cached__).unlink(missing_ok=True)


class QuotingExtension(Extension):
    """Registers the template's filters, and changes cookiecutter's asking and refusing.

    Cookiecutter makes this extension's environment before its first question and before any
    hook runs, so both changes are in place in time; importing this module changes nothing.
    """

    def __init__(self, environment):
        super().__init__(environment)
        forget_this_module()
        ask_only_what_applies()
        quiet_refusals()
        environment.filters["quoted"] = quoted
        environment.filters["json_flow"] = json_flow
        environment.filters["iam_literal"] = iam_literal
        environment.filters["replay_json"] = replay_json
