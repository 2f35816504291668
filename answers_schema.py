"""answers.schema.json, a JSON Schema of the template's answers, made from the hook's own rules.

hooks/pre_gen_project.py is where the rules live: its choices, ranges, patterns and limits. This
module writes them as JSON Schema (draft 2020-12) for forms that collect answers before
cookiecutter runs, such as a software catalog's. A schema cannot say everything the hook checks
(a package name that shadows a module, a cron expression's fields, rules between answers), so
the hook stays the last word; tests/test_answers_schema.py holds the two to agreement on a
shared table of answers. Run ``python answers_schema.py`` to write the file again.
"""

from __future__ import annotations

import importlib.util
import json
import keyword
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent
SCHEMA_PATH = ROOT / "answers.schema.json"
# Free text is one line: no control characters (the hook also refuses other unprintable ones).
ONE_LINE = r"^[^\u0000-\u001f\u007f]*$"
# What Python's str.strip() takes away, which the hook does around names and values: spelled out,
# as "\s" differs between Python's regular expressions and JavaScript's (a form's).
SPACE = r"[\t-\r\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
# A required name is more than blank space.
NOT_BLANK = rf"(?=.*[^{SPACE[1:]})"


def load_hook() -> ModuleType:
    """Import hooks/pre_gen_project.py; it is plain Python before cookiecutter renders it."""
    spec = importlib.util.spec_from_file_location("pre_gen_project", ROOT / "hooks" / "pre_gen_project.py")
    if spec is None or spec.loader is None:
        raise ImportError("hooks/pre_gen_project.py cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def whole(pattern: str) -> str:
    """Anchor one of the hook's fullmatch patterns for JSON Schema, which searches.

    ``(?!\\n)`` after ``$``: in Python's re (which Python validators use) ``$`` also matches before
    a final newline, which the hook refuses; in ECMA-262, a portal's, it changes nothing.
    """
    return f"^(?:{pattern})$(?!\\n)"


def properties(hook: ModuleType, defaults: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each answer's schema, in prompt order, from the hook's rules."""
    email = {"type": "string", "maxLength": hook.EMAIL_MAX, "pattern": whole(hook.EMAIL.pattern)}
    rules: dict[str, dict[str, Any]] = {
        "project_name": {
            "type": "string",
            "maxLength": hook.NAME_MAX,
            "pattern": f"^{NOT_BLANK}{ONE_LINE[1:]}",
        },
        "project_slug": {
            "type": "string",
            "maxLength": hook.PROJECT_SLUG_MAX,
            "pattern": whole(hook.SLUG.pattern),
        },
        "package_name": {
            "type": "string",
            "pattern": f"^(?!(?:{'|'.join(shadowed_names(hook))})$){whole(hook.PACKAGE.pattern)[1:]}",
        },
        "description": {"type": "string", "maxLength": hook.DESCRIPTION_MAX, "pattern": ONE_LINE},
        "author_name": {
            "type": "string",
            "maxLength": hook.NAME_MAX,
            "pattern": rf"^{NOT_BLANK}[^,\u0000-\u001f\u007f]*$",
        },
        "author_email": email,
        "aws_region": {"type": "string", "pattern": whole(hook.REGION.pattern)},
        "schedule_expression": {
            "type": "string",
            "maxLength": hook.SCHEDULE_EXPRESSION_MAX,
            "pattern": r"^(?:rate|cron|at)\(.*\)$",
        },
        "event_pattern": {"type": "string", "maxLength": hook.EVENT_PATTERN_MAX, "pattern": r"^\s*\{"},
        # S3 counts a key's bytes; a character count is the most a schema can say.
        "s3_prefix": {"type": "string", "maxLength": hook.S3_KEY_BYTES_MAX, "pattern": "^(?!/)"},
        "s3_suffix": {"type": "string", "maxLength": hook.S3_KEY_BYTES_MAX},
        "secret_name": {
            "anyOf": [
                {"const": ""},
                {
                    "type": "string",
                    "maxLength": hook.SECRET_NAME_MAX,
                    "pattern": rf"^(?![Aa][Ww][Ss]/)(?!.*{hook.SECRET_SUFFIX_LOOKALIKE.pattern[:-2]}$)"
                    rf"(?:{hook.SECRET_NAME.pattern})$",
                },
            ]
        },
        "env_vars": {"type": "string", "pattern": env_vars_pattern(hook)},
        "alarm_email": {"anyOf": [{"const": ""}, email]},
        "catalog_owner": {
            "type": "string",
            # [kind:]namespace/name, each part at most CATALOG_PART_MAX (the hook checks each).
            "maxLength": len("group:") + 2 * hook.CATALOG_PART_MAX + 1,
            "pattern": whole(re.sub(r"\?P<\w+>", "?:", hook.CATALOG_OWNER.pattern)),
        },
    }
    for name, choices in hook.CHOICES.items():
        # A choice of numbers (log_retention_days) may come as a number too.
        numbers = [int(choice) for choice in choices if choice.isdigit()]
        rules[name] = {"enum": [*choices, *numbers]}
    for name, (minimum, maximum, unit, why, _) in hook.WHOLE_NUMBERS.items():
        # A form sends a number, cookiecutter's command line and replay files text: a schema can
        # hold the number to its range, the text only to digits (the hook checks its range).
        number = {"anyOf": [{"type": "integer", "minimum": minimum, "maximum": maximum}, DIGITS]}
        rules[name] = {
            **({"anyOf": [{"const": ""}, *number["anyOf"]]} if name in OPTIONAL_NUMBERS else number),
            "description": f"{unit}, {minimum} to {maximum}: {why}",
        }
    ordered = {}
    for name in hook.RENDERED_ANSWERS:
        prompt = defaults["__prompts__"][name]
        rule = {"title": prompt["__prompt__"] if isinstance(prompt, dict) else prompt, **rules[name]}
        if "enum" not in rule:
            rule["not"] = TEMPLATE_SYNTAX
        default = defaults[name]
        if isinstance(default, list):
            rule["default"] = default[0]
        elif "{{" not in default:  # a default derived from another answer is no constant
            rule["default"] = int(default) if name in hook.WHOLE_NUMBERS and default else default
        ordered[name] = rule
    return ordered


# Modules that Python 3.12 and 3.13 removed from the standard library (PEP 594, distutils, imp):
# refused whichever Python writes the schema, so that the file is the same from any of them.
OLDER_STDLIB = frozenset({
    "aifc", "asynchat", "asyncore", "audioop", "cgi", "cgitb", "chunk", "crypt", "distutils", "imghdr",
    "imp", "lib2to3", "mailcap", "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "smtpd", "sndhdr",
    "spwd", "sunau", "telnetlib", "uu", "xdrlib",
})  # fmt: skip


def shadowed_names(hook: ModuleType) -> list[str]:
    """Package names the hook refuses although they match its pattern: Python's keywords, the
    standard library's modules (of the Python that writes the schema, and newer ones the hook
    names) and the import names the project already uses."""
    names = {*keyword.kwlist, *keyword.softkwlist, *sys.stdlib_module_names, *hook.NEWER_STDLIB}
    names |= OLDER_STDLIB | {"type"}  # a soft keyword from Python 3.12 on
    names |= set(hook.TAKEN_IMPORT_NAMES)
    return sorted(name for name in names if hook.PACKAGE.fullmatch(name))


def env_vars_pattern(hook: ModuleType) -> str:
    """env_vars as comma-separated NAME=value pairs, each name as the hook allows it and given
    once. The hook's 4 KB budget, counted in bytes, stays the hook's."""
    # A name becomes an attribute of the settings in lower case: not a keyword.
    keywords = [word.upper() for word in keyword.kwlist if word.islower()]
    refused = sorted({*hook.LAMBDA_RESERVED, *hook.TEMPLATE_NAMES, *hook.PROCESS_NAMES, *keywords})
    prefixes = [*hook.AWS_PREFIXES, *hook.PROCESS_PREFIXES]
    # The hook's looks_like_credential: a word anywhere, a part between underscores, or KEY
    # last but after a data key's word; and not a pointer's name.
    end = rf"{SPACE}*="
    credential = (
        rf"(?:(?=[A-Z0-9_]*(?:{'|'.join(hook.CREDENTIAL_WORDS)}))"
        rf"|(?=(?:[A-Z0-9_]*_)?(?:{'|'.join(hook.CREDENTIAL_PARTS)})(?:_[A-Z0-9_]*)?{end})"
        rf"|(?=(?:[A-Z0-9_]*_)?KEY{end})(?!(?:[A-Z0-9_]*_)?(?:{'|'.join(hook.DATA_KEY_WORDS)})_KEY{end}))"
        rf"(?![A-Z0-9_]*(?:{'|'.join(hook.EXEMPT_SUFFIXES)}){end})"
    )
    name = (
        rf"(?!(?:{'|'.join(refused)}){end})(?!{'|'.join(prefixes)})(?!{credential})"
        rf"{hook.ENV_NAME.pattern}"
    )
    # A value is printable text without a comma, which separates the pairs, and of no secret's
    # well-known shape.
    shapes = "|".join(f"(?:{shape})" for shape in hook.CREDENTIAL_SHAPES.values())
    value = rf"(?![^,]*(?:{shapes}))[^,\u0000-\u001f\u007f-\u009f\u2028\u2029{BIDI}]*"
    pair = rf"{SPACE}*{name}{SPACE}*={value}"
    # No name twice: a name at a pair's start that comes again at a later pair's start.
    no_repeat = rf"(?!(?:.*,)?{SPACE}*([A-Z][A-Z0-9_]*){SPACE}*=.*,{SPACE}*\1{SPACE}*=)"
    return rf"^{no_repeat}(?:{pair}|{SPACE}*)(?:,(?:{pair}|{SPACE}*))*$"


# The hook's bidirectional-text controls, which can make a file read differently from what it is.
BIDI = r"\u202a-\u202e\u2066-\u2069"
DIGITS = {"type": "string", "pattern": "^[0-9]+$"}
# Cookiecutter renders every answer it is given as a Jinja template before the hook sees it, so
# "{{ 7*7 }}" arrives as "49", and a template can run code on the machine that bakes. Text that
# opens Jinja syntax is refused here, where the form's answers are still as typed.
TEMPLATE_SYNTAX = {"type": "string", "pattern": "\\{[{%#]"}
# Whole numbers that may be left empty (the hook's `optional` checks).
OPTIONAL_NUMBERS = frozenset({"reserved_concurrency", "sqs_maximum_concurrency"})


def answers_schema() -> dict[str, Any]:
    """The JSON Schema of the answers, from the hook and cookiecutter.json's defaults."""
    hook = load_hook()
    defaults = json.loads((ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "answers.schema.json",
        "title": "Answers of cookiecutter-lambda-task",
        "description": (
            "The answers cookiecutter takes (cookiecutter --no-input name=value ...). Made from"
            " hooks/pre_gen_project.py by answers_schema.py; the hook checks more than a schema can"
            " say and has the last word."
        ),
        "type": "object",
        # Cookiecutter's own keys (_template, _extensions, ...) start with "_"; any other name is
        # not an answer of this template.
        "patternProperties": {"^_": {}},
        "additionalProperties": False,
        "properties": properties(hook, defaults),
    }


def render() -> str:
    """The schema as the committed file holds it."""
    return json.dumps(answers_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    SCHEMA_PATH.write_text(render(), encoding="utf-8")
