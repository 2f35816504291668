"""Free text with quotes, colons, '#', braces, backslashes and unicode must render into files
that still parse, and must come out of them unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.environments import make
from tests.parsing import parse

HOSTILE = {
    "project_name": 'Pay "Q" Relay: #1 {x} [y] O\'Neil & Zoë — 日本',
    "description": 'It\'s "quoted": #not-a-comment, {braces} [list] `code` back\\slash ü ✓ 🚀 <tag> & % @',
    "author_name": 'Renée O\'Brien "Bob": #1 {x} \\ 🚀',
    # Free text goes into the Backstage entry too.
    "catalog_entry": "backstage",
}


@pytest.fixture(scope="module")
def hostile_project(bake) -> Path:
    return bake(HOSTILE)


def test_every_file_parses(hostile_project):
    parsed = [parse(path) for path in hostile_project.rglob("*") if path.is_file()]
    assert parsed


def test_answers_come_out_unchanged(hostile_project):
    template = parse(hostile_project / "template.yaml")
    pyproject = parse(hostile_project / "pyproject.toml")
    readme = (hostile_project / "README.md").read_text(encoding="utf-8")

    assert template["Description"] == HOSTILE["description"]
    assert pyproject["project"]["description"] == HOSTILE["description"]
    assert pyproject["project"]["authors"][0]["name"] == HOSTILE["author_name"]
    assert readme.splitlines()[0] == f"# {HOSTILE['project_name']}"
    catalog = parse(hostile_project / "catalog-info.yaml")
    assert catalog["metadata"]["title"] == HOSTILE["project_name"]
    assert catalog["metadata"]["description"] == HOSTILE["description"]


def test_derived_names_are_clean(hostile_project):
    assert hostile_project.name == "pay-q-relay-1-x-y-o-neil-zoe-ri-ben"
    assert (hostile_project / "src" / "pay_q_relay_1_x_y_o_neil_zoe_ri_ben").is_dir()


def test_still_lints_and_validates(hostile_project, project_env, tools_env):
    make(hostile_project, "lint", f"VENV={project_env}")
    make(hostile_project, "validate", f"TOOLS_VENV={tools_env}")
