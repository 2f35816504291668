"""Parse a baked file by its kind, so tests can say "every file parses" in one line."""

from __future__ import annotations

import ast
import json
import tomllib
from pathlib import Path

import yaml
from markdown_it import MarkdownIt


class CloudFormationLoader(yaml.SafeLoader):
    """A safe loader that accepts CloudFormation's short-form tags (!Ref, !Sub, ...)."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node, deep=True)}
    return {suffix: loader.construct_mapping(node, deep=True)}


CloudFormationLoader.add_multi_constructor("!", _tagged)


def load_yaml(text: str) -> object:
    """Parse YAML that may hold CloudFormation tags; the tags become one-key mappings."""
    return yaml.load(text, Loader=CloudFormationLoader)  # noqa: S506 - a SafeLoader subclass


def parse(path: Path) -> object:
    """Parse a baked file by its kind; raise if it does not parse."""
    text = path.read_text(encoding="utf-8")
    if path.suffix in {".yaml", ".yml"}:
        return load_yaml(text)
    if path.suffix == ".toml":
        return tomllib.loads(text)
    if path.suffix == ".json":
        return json.loads(text)
    if path.suffix == ".py":
        return ast.parse(text, filename=str(path))
    if path.suffix == ".md":
        return MarkdownIt().render(text)
    return text
