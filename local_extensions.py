"""Jinja filters that turn free-text answers into string literals safe in YAML, TOML and Python.

Cookiecutter loads this module through ``_extensions`` in ``cookiecutter.json``.
"""

from jinja2.ext import Extension

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


class QuotingExtension(Extension):
    """Registers the ``quoted`` filter."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["quoted"] = quoted
