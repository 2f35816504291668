"""The Backstage software template: valid for Backstage, its form made from the answers' schema with
each trigger's questions only under that trigger, and its bake the CLI's own, hooks and all."""

from __future__ import annotations

import filecmp
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import answers_schema
import backstage_template
import lambda_task_extensions
from tests.environments import CACHE_DIR, REPO_ROOT, fingerprint
from tests.parsing import load_yaml

CHECKS = REPO_ROOT / "tests" / "backstage"
BAKE = REPO_ROOT / "backstage" / "bake.py"
ENTITY = load_yaml(backstage_template.TEMPLATE_PATH.read_text(encoding="utf-8"))
PAGES = ENTITY["spec"]["parameters"]
REPOSITORY = "github.com?owner=example-org&repo=csv-summary"
TRIGGERS = [
    option["const"] for page in PAGES for option in page["properties"].get("trigger", {}).get("oneOf", [])
]


@pytest.fixture(scope="session")
def backstage_checks() -> Path:
    """tests/backstage with Backstage's validators installed from its lock file (npm ci)."""
    lock = (CHECKS / "package-lock.json").read_text(encoding="utf-8")
    destination = CACHE_DIR / f"backstage-{fingerprint(lock, (CHECKS / 'validate.mjs').read_text())}"
    if not (destination / "node_modules").is_dir():
        shutil.rmtree(destination, ignore_errors=True)
        shutil.copytree(CHECKS, destination)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--quiet"], cwd=destination, check=True)  # noqa: S607
    return destination


def check(
    backstage_checks: Path, values: list[dict[str, Any]], components: tuple[Any, ...] = ()
) -> dict[str, list]:
    """Backstage's verdict on the entity and on each Component, and the form's on each set of values."""
    completed = subprocess.run(  # noqa: S603 - node, our own script
        ["node", str(backstage_checks / "validate.mjs")],  # noqa: S607
        input=json.dumps({"entity": ENTITY, "values": values, "components": list(components)}),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


def form_values(**chosen: Any) -> dict[str, Any]:
    """What the form sends when its defaults are kept: the fields shown for the choices made."""
    values: dict[str, Any] = {}
    for page in PAGES:
        values.update(
            {name: field["default"] for name, field in page["properties"].items() if "default" in field}
        )
    values.update({"catalog_owner": "group:default/payments", **chosen})
    for page in PAGES:
        for choice, dependency in page.get("dependencies", {}).items():
            (branch,) = [b for b in dependency["oneOf"] if b["properties"][choice]["const"] == values[choice]]
            for name, field in branch["properties"].items():
                if name != choice and "default" in field:
                    values.setdefault(name, field["default"])
    return {**values, "repoUrl": REPOSITORY}


def run_bake(
    answers: dict[str, Any], output_dir: Path, repository: str = REPOSITORY
) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "ANSWERS": json.dumps(answers),
        "REPOSITORY": repository,
        "ALLOWED_OWNER": "Example-Org",  # GitHub's owner names ignore case
    }
    environment["GITHUB_OUTPUT"] = str(output_dir.parent / "github-output")
    return subprocess.run(  # noqa: S603 - our interpreter, our script
        [sys.executable, str(BAKE), str(output_dir)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_template_file_is_up_to_date():
    assert backstage_template.TEMPLATE_PATH.read_text(encoding="utf-8") == backstage_template.render(), (
        "backstage/template.yaml is out of date: run `python backstage_template.py`"
    )


def test_the_entity_is_a_backstage_template(backstage_checks):
    assert check(backstage_checks, [])["entity"] == []


def test_the_form_asks_every_answer_once_and_each_triggers_only_under_it():
    asked: dict[str, str | None] = {}
    for page in PAGES:
        for name in page["properties"]:
            asked[name] = None
        for choice, dependency in page.get("dependencies", {}).items():
            for branch in dependency["oneOf"]:
                value = branch["properties"][choice]["const"]
                for name in set(branch["properties"]) - {choice}:
                    assert name not in asked, f"{name} asked twice"
                    asked[name] = f"{choice}={value}"
    schema = json.loads(answers_schema.SCHEMA_PATH.read_text(encoding="utf-8"))
    assert set(asked) - {"repoUrl"} == set(schema["properties"])
    conditions = {name: condition for name, condition in asked.items() if condition}
    assert conditions == {name: f"{c}={v}" for name, (c, v) in lambda_task_extensions.USED_ONLY_WITH.items()}


@pytest.mark.parametrize(
    "answers",
    [
        {"catalog_owner": "group:default/payments"},
        # Names YAML would read as a boolean, a null or a number, were they not quoted.
        {"project_name": "True", "catalog_owner": "null"},
        {"project_name": "No", "catalog_owner": "user:1e3"},
    ],
)
def test_a_baked_catalog_entry_is_a_backstage_component(backstage_checks, bake, answers):
    project = bake({**answers, "catalog_entry": "backstage"})
    component = load_yaml((project / "catalog-info.yaml").read_text(encoding="utf-8"))
    assert check(backstage_checks, [], (component,))["components"] == [[]]
    assert component["spec"]["owner"] == answers["catalog_owner"]


def test_the_forms_defaults_pass_and_bad_answers_are_refused(backstage_checks):
    good = [form_values(trigger=trigger) for trigger in TRIGGERS] + [form_values(cold_start="provisioned")]
    bad = [
        {**form_values(), "memory_size": 64},
        {**form_values(), "trigger": "kafka"},
        {**form_values(), "project_slug": "Csv_Summary"},
        {**form_values(), "project_name": "two\nlines"},
        {**form_values(trigger="schedule"), "schedule_expression": "every 5 minutes"},
        {key: value for key, value in form_values(trigger="sqs").items() if key != "batch_size"},
        # The patterns' lookaheads and back-reference, in the form's JavaScript engine.
        {**form_values(), "project_name": "\u3000\u0085"},
        {**form_values(), "package_name": "json"},
        {**form_values(), "env_vars": "APP_MODE=1, APP_MODE=2"},
        {**form_values(), "env_vars": "\ufeffAPP_MODE=1"},
        {**form_values(), "env_vars": "DB_PASSWORD=hunter2"},
    ]
    verdicts = check(backstage_checks, good + bad)["values"]
    assert verdicts[: len(good)] == [[]] * len(good)
    assert all(verdicts[len(good) :]), list(zip(bad, verdicts[len(good) :], strict=True))


def test_each_answer_a_schema_refuses_the_form_refuses(backstage_checks):
    schema = json.loads(answers_schema.SCHEMA_PATH.read_text(encoding="utf-8"))
    # A value of the right type the schema refuses, for every constrained free-text or number answer.
    refused = {
        name: ("x" * (rule["maxLength"] + 1)) if "maxLength" in rule else "\u0007"
        for name, rule in schema["properties"].items()
        if rule.get("type") == "string" and ("maxLength" in rule or "pattern" in rule)
    }
    refused.update(
        {
            name: next(b for b in rule["anyOf"] if b.get("type") == "integer")["maximum"] + 1
            for name, rule in schema["properties"].items()
            if any(b.get("type") == "integer" for b in rule.get("anyOf", []))
        }
    )
    cases = []
    for name, value in refused.items():
        condition = lambda_task_extensions.USED_ONLY_WITH.get(name)
        values = form_values(**dict([condition])) if condition else form_values()
        cases.append({**values, name: value})
    verdicts = check(backstage_checks, cases)["values"]
    assert all(verdicts), [name for name, verdict in zip(refused, verdicts, strict=True) if not verdict]


@pytest.mark.parametrize(
    "chosen", [{"trigger": "sqs"}, {"trigger": "s3", "task": "blank"}, {"trigger": "schedule"}]
)
def test_the_bake_is_the_clis_with_the_same_answers(bake, tmp_path, chosen):
    values = form_values(**chosen, project_name="Csv Summary")
    completed = run_bake(values, tmp_path / "baked")
    assert completed.returncode == 0, completed.stderr
    (project,) = (tmp_path / "baked").iterdir()
    answers = {name: str(value) for name, value in values.items() if name != "repoUrl"}
    expected = bake(answers)
    comparison = filecmp.dircmp(expected, project, ignore=[])
    assert differences(comparison) == []
    outputs = (tmp_path / "github-output").read_text(encoding="utf-8").splitlines()
    assert outputs == [f"project={project.name}", "owner=example-org", "repo=csv-summary"]


def differences(comparison: filecmp.dircmp) -> list[str]:
    """Files only on one side or different, through every subdirectory."""
    found = [*comparison.left_only, *comparison.right_only]
    _, mismatch, errors = filecmp.cmpfiles(
        comparison.left, comparison.right, comparison.common_files, shallow=False
    )
    found += mismatch + errors
    for sub in comparison.subdirs.values():
        found += differences(sub)
    return found


def test_a_refused_answer_fails_the_bake_with_the_hooks_message_and_writes_nothing(tmp_path):
    completed = run_bake({**form_values(), "memory_size": 64, "aws_region": "moon-1"}, tmp_path / "baked")
    assert completed.returncode != 0
    assert "memory_size" in completed.stderr + completed.stdout
    assert "aws_region" in completed.stderr + completed.stdout
    assert not any((tmp_path / "baked").iterdir())
    assert not (tmp_path / "github-output").exists()


@pytest.mark.parametrize(
    ("answers", "repository", "message"),
    [
        ({"memmory_size": "512"}, REPOSITORY, "memmory_size: is not an answer of this template"),
        ({"_extensions": "[]"}, REPOSITORY, "_extensions: is not an answer of this template"),
        ({"memory_size": 512.5}, REPOSITORY, "is neither text nor a whole number"),
        ({"tracing": True}, REPOSITORY, "is neither text nor a whole number"),
        ({}, "github.com?owner=example-org", "REPOSITORY"),
        ({}, "gitlab.com?owner=example-org&repo=x", "REPOSITORY"),
        ({}, "github.com?owner=-org&repo=x", "REPOSITORY"),
        ({}, "github.com?owner=org&repo=..", "REPOSITORY"),
        ({}, "github.com?owner=org&repo=a;rm -rf", "REPOSITORY"),
        ({}, "github.com?owner=example-org&repo=x&repo=y", "REPOSITORY"),
        ({}, "github.com?owner=example-org&owner=evil&repo=x", "REPOSITORY"),
        ({}, "github.com?owner=example-org&repo=x&visibility=public", "REPOSITORY"),
        ({}, "github.com?owner=example-org&repo=x.GIT", "REPOSITORY"),
        ({}, "github.com?owner=example-org&repo=.git", "REPOSITORY"),
        ({}, "github.com?owner=Example\u2010Org&repo=x", "REPOSITORY"),
        ({}, "github.com?owner=example-org&repo=%2e%2e", "REPOSITORY"),
        ({}, "github.com?owner=someone-else&repo=x", "new repositories go in Example-Org, not someone-else"),
        ({"trigger": "kafka"}, REPOSITORY, "trigger: 'kafka' is not one of sqs, schedule"),
        ({"env_vars": "A=\u0000"}, REPOSITORY, "env_vars: contains a NUL character"),
        # Cookiecutter would render these (and run the code in them) before the hook saw them.
        ({"description": "{{ 7*7 }}"}, REPOSITORY, "description: contains template syntax"),
        (
            {"env_vars": "{% if cycler.__init__.__globals__.os.system('touch pwned') %}{% endif %}"},
            REPOSITORY,
            "env_vars: contains template syntax",
        ),
        ({"s3_suffix": "{#"}, REPOSITORY, "s3_suffix: contains template syntax"),
        # Cookiecutter makes these directories before the hook runs: refused by the hook's rules
        # first, or "../../escape/a/b" would leave escape/a behind, outside the output.
        ({"project_slug": "../../escape/a/b"}, REPOSITORY, "project_slug: must be lowercase"),
        ({"project_slug": "/escape"}, REPOSITORY, "project_slug: must be lowercase"),
        ({"package_name": "../escape"}, REPOSITORY, "package_name:"),
        ({"package_name": "os"}, REPOSITORY, "package_name:"),
    ],
)
def test_inputs_that_are_no_answers_are_refused_before_baking(tmp_path, answers, repository, message):
    completed = run_bake(answers, tmp_path / "baked", repository)
    assert completed.returncode == 2
    assert message in completed.stderr
    assert not (tmp_path / "baked").exists()
    assert not list(Path.cwd().glob("pwned"))
    assert not list(tmp_path.rglob("escape"))
    assert not (tmp_path.parent / "escape").exists()


def test_answers_the_form_hid_are_not_sent(bake, tmp_path):
    """Backstage keeps what was typed under another trigger; those answers are dropped, not
    refused by the hook (which refuses sqs_maximum_concurrency for s3) nor baked in."""
    values = {
        **form_values(trigger="s3"),
        "project_name": "Csv Summary",
        "batch_size": 99_999,
        "sqs_maximum_concurrency": 10,
        "schedule_expression": "not even an expression",
        "provisioned_concurrency": 5,
    }
    completed = run_bake(values, tmp_path / "baked")
    assert completed.returncode == 0, completed.stderr
    (project,) = (tmp_path / "baked").iterdir()
    answers = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))["cookiecutter"]
    cookiecutter_json = json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    for name in ("batch_size", "sqs_maximum_concurrency", "schedule_expression", "provisioned_concurrency"):
        assert answers[name] == cookiecutter_json[name]


def test_a_cleared_field_whose_empty_means_none_is_sent_empty(backstage_checks, tmp_path):
    values = {**form_values(trigger="s3"), "s3_prefix": "", "secret_name": ""}
    assert check(backstage_checks, [values])["values"] == [[]]
    assert run_bake(values, tmp_path / "baked").returncode == 0
    (project,) = (tmp_path / "baked").iterdir()
    answers = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))["cookiecutter"]
    assert (answers["s3_prefix"], answers["secret_name"]) == ("", "")


def test_the_bake_workflow_pins_the_cookiecutter_the_tests_use():
    def pin(path: Path) -> str:
        (line,) = [
            line.split()[0]
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("cookiecutter==")
        ]
        return line

    tested = pin(REPO_ROOT / "requirements-test.txt")
    assert pin(REPO_ROOT / "backstage" / "requirements.in") == tested
    assert pin(REPO_ROOT / "backstage" / "requirements.txt") == tested


def test_the_bake_job_installs_only_hashed_packages():
    """Every package of the lock has its version and a hash, and the job makes pip refuse
    anything else (``--require-hashes``)."""
    lines = (REPO_ROOT / "backstage" / "requirements.txt").read_text(encoding="utf-8").splitlines()
    requirements = [i for i, line in enumerate(lines) if line and not line.startswith(("#", " "))]
    assert len(requirements) >= 2
    for start in requirements:
        assert re.fullmatch(r"[a-z0-9._-]+==\S+ \\", lines[start]), lines[start]
        assert lines[start + 1].strip().startswith("--hash=sha256:"), lines[start]
    installs = [s["run"] for s in WORKFLOW["jobs"]["bake"]["steps"] if "pip install" in s.get("run", "")]
    assert installs == ["pip install --require-hashes -r backstage/requirements.txt"]


# --- The workflow's own steps, run here: GitHub's CLI stood in for, github.com a local directory ----

WORKFLOW = load_yaml((REPO_ROOT / ".github" / "workflows" / "bake.yml").read_text(encoding="utf-8"))
STAND_IN_GH = """#!/bin/sh
# Stands in for GitHub's CLI: a repository is a bare git repository under $REMOTES.
echo "$*" >> "$GH_LOG"
case "$1 $2" in
  "auth setup-git") exit 0 ;;
  "repo view") test -d "$REMOTES/$3.git" ;;
  "repo create")
    test ! -e "$REMOTES/$3.git" || exit 1  # GitHub refuses a name that is taken
    mkdir -p "$REMOTES/$3.git" && git init -q --bare "$REMOTES/$3.git" ;;
  *) exit 9 ;;
esac
"""


def step(job: str, name: str) -> dict[str, Any]:
    (found,) = [
        s for s in WORKFLOW["jobs"][job]["steps"] if name in (s.get("id"), s.get("name"), s.get("run"))
    ]
    return found


def run_step(script: str, runner_temp: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - bash running the workflow's own step
        ["bash", "-e", "-c", script],  # noqa: S607 - GitHub runs run: steps with bash -e
        cwd=REPO_ROOT,
        env={**os.environ, "RUNNER_TEMP": str(runner_temp), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_template_the_workflow_and_the_script_agree():
    (dispatch,) = ENTITY["spec"]["steps"]
    assert (REPO_ROOT / ".github" / "workflows" / dispatch["input"]["workflowId"]).is_file()
    on = WORKFLOW.get("on", WORKFLOW.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(dispatch["input"]["workflowInputs"]) == set(on["workflow_dispatch"]["inputs"])
    assert set(WORKFLOW["jobs"]["bake"]["outputs"]) == {"project", "owner", "repo"}  # bake.py's
    assert "secrets." not in json.dumps(WORKFLOW["jobs"]["bake"]), (
        "the job that renders answers holds no secret"
    )
    # The tokens are the publish environment's, and its job runs from the default branch only.
    publish = WORKFLOW["jobs"]["publish"]
    assert publish["environment"] == "publish"
    default_branch = "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
    assert publish["if"] == f"{default_branch} || startsWith(github.ref, 'refs/tags/v')"
    # Nothing that holds a token runs before the outputs and the tarball are checked.
    names = [s.get("name") or s.get("uses", "") for s in publish["steps"]]
    checked = max(names.index("Check the bake job's outputs"), names.index("Check the baked tarball"))
    assert all("secrets." not in json.dumps(s) for s in publish["steps"][: checked + 1])
    assert names.index("Publish") > checked


def tarball(tmp_path: Path, add: Any) -> Path:
    """A tarball as the bake job packs it (tar -C baked .), of a tree ``add`` fills in."""
    baked = tmp_path / "baked"
    (baked / "csv-summary" / "src").mkdir(parents=True)
    (baked / "csv-summary" / "README.md").write_text("# csv-summary\n", encoding="utf-8")
    add(baked)
    subprocess.run(["tar", "-czf", str(tmp_path / "project.tgz"), "-C", str(baked), "."], check=True)  # noqa: S603, S607
    return tmp_path / "project.tgz"


@pytest.mark.parametrize(
    ("add", "named"),
    [
        (lambda baked: (baked / "csv-summary" / ".git" / "hooks").mkdir(parents=True), ".git"),
        (lambda baked: (baked / "csv-summary" / "link").symlink_to("/etc/passwd"), "link"),
        (
            lambda baked: (baked / "csv-summary" / "hard").hardlink_to(baked / "csv-summary" / "README.md"),
            "hard",
        ),
        (lambda baked: (baked / "elsewhere").mkdir(), "elsewhere"),
    ],
)
def test_the_publish_job_checks_the_baked_tarball(tmp_path, add, named):
    script = step("publish", "Check the baked tarball")["run"]
    clean = tmp_path / "clean"
    clean.mkdir()
    tarball(clean, lambda baked: None)
    assert run_step(script, clean, PROJECT="csv-summary").returncode == 0
    tarball(tmp_path, add)
    refused = run_step(script, tmp_path, PROJECT="csv-summary")
    assert refused.returncode == 1
    assert named in refused.stderr


@pytest.mark.parametrize(
    ("outputs", "named"),
    [
        ({"PROJECT": "../../escape"}, "PROJECT"),
        ({"PROJECT": "csv-summary/../../x"}, "PROJECT"),
        ({"OWNER": "someone-else"}, "OWNER"),
        ({"OWNER": "example-org;rm -rf"}, "OWNER"),
        ({"REPO": "a b"}, "REPO"),
        ({"REPO": ".."}, "REPO"),
        ({"REPO": "other.git"}, "REPO"),
        ({"REPO": 'x", "target": "https://evil.example/'}, "REPO"),
    ],
)
def test_the_publish_job_checks_the_bake_jobs_outputs_again(tmp_path, outputs, named):
    good = {"PROJECT": "csv-summary", "OWNER": "Example-Org", "REPO": "csv-summary"}
    script = step("publish", "Check the bake job's outputs")["run"]
    assert run_step(script, tmp_path, **good, ALLOWED_OWNER="example-org").returncode == 0
    refused = run_step(script, tmp_path, **{**good, **outputs}, ALLOWED_OWNER="example-org")
    assert refused.returncode == 1
    assert f"error: {named} " in refused.stderr


@pytest.fixture
def github(tmp_path: Path) -> dict[str, str]:
    """The environment of a publish step: the stand-in gh on PATH, github.com mapped to REMOTES."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(STAND_IN_GH, encoding="utf-8")
    (bin_dir / "gh").chmod(0o755)
    remotes = tmp_path / "remotes"
    return {
        "PATH": f"{bin_dir}:{Path(sys.executable).parent}:{os.environ['PATH']}",
        "REMOTES": str(remotes),
        "GH_LOG": str(tmp_path / "gh.log"),
        "GITHUB_REPOSITORY": "example-org/cookiecutter-lambda-task",
        "GITHUB_SHA": "0" * 40,
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.file://{remotes}/.insteadOf",
        "GIT_CONFIG_VALUE_0": "https://github.com/",
    }


def test_the_workflow_publishes_exactly_the_baked_tree_and_never_overwrites(tmp_path, github):
    bake_temp, publish_temp = tmp_path / "bake-runner", tmp_path / "publish-runner"
    bake_temp.mkdir()
    outputs = tmp_path / "outputs"
    baked = run_step(
        step("bake", "bake")["run"],
        bake_temp,
        PATH=github["PATH"],
        ANSWERS=json.dumps(form_values(project_name="Csv Summary")),
        REPOSITORY=REPOSITORY,
        ALLOWED_OWNER="example-org",
        GITHUB_OUTPUT=str(outputs),
    )
    assert baked.returncode == 0, baked.stderr
    packed = run_step(
        step("bake", 'tar -czf "$RUNNER_TEMP/project.tgz" -C "$RUNNER_TEMP/baked" .')["run"], bake_temp
    )
    assert packed.returncode == 0, packed.stderr
    job_outputs = dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines())

    def publish(**later: str) -> subprocess.CompletedProcess:
        shutil.rmtree(publish_temp, ignore_errors=True)
        publish_temp.mkdir()
        shutil.copy(bake_temp / "project.tgz", publish_temp)  # what download-artifact does
        environment = {
            **github,
            "PROJECT": job_outputs["project"],
            "OWNER": "example-org",
            "REPO": "csv-summary",
        }
        return run_step(step("publish", "Publish")["run"], publish_temp, **{**environment, **later})

    first = publish()
    assert first.returncode == 0, first.stderr
    remote = Path(github["REMOTES"]) / "example-org" / "csv-summary.git"
    pushed = subprocess.run(  # noqa: S603
        ["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only", "main"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    project = bake_temp / "baked" / job_outputs["project"]
    assert pushed == sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    assert ".github/workflows/ci.yml" in pushed

    # The tarball the bake job made passes the publish job's check.
    assert (
        run_step(
            step("publish", "Check the baked tarball")["run"], bake_temp, PROJECT=job_outputs["project"]
        ).returncode
        == 0
    )

    # A second run (a rerun, or the same name chosen again) finds the repository and pushes
    # nothing to it.
    head = (remote / "refs" / "heads" / "main").read_text(encoding="utf-8")
    again = publish(GIT_AUTHOR_DATE="2030-01-01T00:00:00", GIT_COMMITTER_DATE="2030-01-01T00:00:00")
    assert again.returncode != 0
    assert "exists already" in again.stdout
    assert (remote / "refs" / "heads" / "main").read_text(encoding="utf-8") == head
    assert "push" not in again.stderr

    # Nor to a repository that exists without a main branch (empty, or its history on master):
    # a push would have planted main, and deploy.yml with it.
    empty = Path(github["REMOTES"]) / "example-org" / "someones-empty.git"
    subprocess.run(["git", "init", "-q", "--bare", str(empty)], check=True)  # noqa: S603, S607
    into_empty = publish(REPO="someones-empty")
    assert into_empty.returncode != 0
    assert not (empty / "refs" / "heads" / "main").exists()


def test_the_workflow_registers_the_catalog_entry_through_the_catalog_api(tmp_path, bake):
    """The register step, with curl, against a catalog API on 127.0.0.1 that records the request."""
    received: list[tuple[str, str, dict[str, Any]]] = []

    class CatalogApi(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((self.path, self.headers["Authorization"], body))
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), CatalogApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for catalog_entry in ("backstage", "none"):
            runner = tmp_path / catalog_entry
            shutil.copytree(bake({"catalog_entry": catalog_entry}), runner / "baked" / "webhook-relay")
            registered = run_step(
                step("publish", "Register in the catalog")["run"],
                runner,
                BACKSTAGE_URL=f"http://127.0.0.1:{server.server_port}",
                BACKSTAGE_TOKEN="static-token",  # noqa: S106 - a test token for a local server
                PROJECT="webhook-relay",
                OWNER="example-org",
                REPO="csv-summary",
            )
            assert registered.returncode == 0, registered.stderr
    finally:
        server.shutdown()
    target = "https://github.com/example-org/csv-summary/blob/main/catalog-info.yaml"
    assert received == [("/api/catalog/locations", "Bearer static-token", {"type": "url", "target": target})]
