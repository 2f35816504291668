"""The pipelines, generated and the template's own: valid against GitHub's schemas, actions pinned
to commit SHAs, least permissions, OIDC only where a deploy needs it, prod behind dev, and no
answer anywhere GitHub could execute it."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.environments import REPO_ROOT, interpreter_for, make
from tests.parsing import load_yaml
from tests.test_bake import COMBINATIONS, RUNTIMES, combination_id

# Answers that leave a mark ("zq", in any case) wherever they are rendered, shell and expression
# syntax included; every one passes the hook.
MARKED = {
    "project_name": "Zq Marker $(id) `id`; rm -rf ~ & echo",
    "description": "zq: $(curl evil) `id` ; | & > /dev/null ' \" # ${HOME} $GITHUB_TOKEN",
    "author_name": "Zq O'Hara $(id)",
    "author_email": "zq-author@example.com",
    "aws_region": "zq-marker-1",
    "secret_name": "zq/key+v1=x@prod",
    "env_vars": "ZQ_SETTING=zq $(id) `id` ${GITHUB_TOKEN}",
    "alarm_email": "zq-alarm@example.com",
}
MARK = "zq"

PINNED_USES = re.compile(
    r"^\s*(?:- )?uses: (?:[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40} # v\d+(?:\.\d+){0,2}"
    r"|\./\S+(?: # zizmor: ignore\[[\w-]+\] .+)?)\s*$"
)
EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
DEPLOY_ACTION = "aws-actions/configure-aws-credentials@"
# The only jobs that write besides deploys, by workflow file and job, and what they may write:
# the template's release tags, and a project's pull request of the template's update.
WRITERS = {
    ("release.yml", "tag"): {"contents"},
    ("template-check.yml", "template-update"): {"contents", "pull-requests", "statuses"},
}


def workflow_files(root: Path) -> list[Path]:
    return sorted((root / ".github" / "workflows").glob("*.y*ml"))


@pytest.fixture(scope="module")
def baked_roots(bake) -> dict[str, Path]:
    """Every baked variant, and the marked one, by name."""
    roots = {combination_id(answers): bake(answers) for answers in COMBINATIONS}
    roots["marked"] = bake(MARKED)
    return roots


@pytest.fixture(scope="module")
def workflows(baked_roots) -> dict[str, Path]:
    """Every workflow to check: each variant's, and the template repository's own."""
    found = {
        f"{name}/{path.name}": path for name, root in baked_roots.items() for path in workflow_files(root)
    }
    found.update({f"template/{path.name}": path for path in workflow_files(REPO_ROOT)})
    return found


def check_jsonschema(schema: str, paths: list[Path]) -> None:
    """Validate ``paths`` against one of check-jsonschema's vendored schemas, offline, in one run."""
    completed = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_workflows_match_githubs_schema(workflows):
    generated = [name for name in workflows if not name.startswith("template/")]
    assert {name.rsplit("/", 1)[1] for name in generated} == {"ci.yml", "deploy.yml", "template-check.yml"}
    check_jsonschema("vendor.github-workflows", list(workflows.values()))


def test_dependabot_covers_pip_and_actions(baked_roots):
    files = [root / ".github" / "dependabot.yml" for root in baked_roots.values()]
    files.append(REPO_ROOT / ".github" / "dependabot.yml")
    check_jsonschema("vendor.dependabot", files)
    for path in files:
        updates = load_yaml(path.read_text(encoding="utf-8"))["updates"]
        ecosystems = {update["package-ecosystem"] for update in updates}
        assert {"pip", "github-actions"} <= ecosystems, path
        # A week's cooldown on every version update (zizmor's dependabot-cooldown): a release
        # that turns out compromised is usually pulled before then. Security updates skip it.
        assert all(update["cooldown"]["default-days"] >= 7 for update in updates), path


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor_finds_nothing(baked_roots, persona):
    """zizmor's offline audits (template injection, excessive permissions, credentials persisted
    by checkout, secrets outside an environment, Dependabot's cooldown, ...) on the template's
    workflows and Dependabot file and on every baked project's, at its default persona and at
    the auditor's (also unnamed jobs, undocumented permissions, concurrency). A finding ignored
    in place says why on its line."""
    roots = [REPO_ROOT / ".github", *(root / ".github" for root in baked_roots.values())]
    zizmor = Path(sys.executable).parent / "zizmor"
    completed = subprocess.run(  # noqa: S603 - the test environment's zizmor, our paths
        [str(zizmor), "--offline", f"--persona={persona}", "--format=json", *map(str, roots)],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(completed.stdout)  # an audit that did not run writes no JSON
    found = [(f["ident"], f["locations"][-1]["concrete"]["feature"]) for f in findings]
    assert found == [], completed.stderr
    assert completed.returncode == 0, completed.stderr


def test_every_action_is_pinned_to_a_commit_with_its_version(workflows):
    unpinned = [
        f"{name}: {line.strip()}"
        for name, path in workflows.items()
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.match(r"^\s*(?:- )?uses:", line) and not PINNED_USES.match(line)
    ]
    assert not unpinned


def jobs(path: Path) -> tuple[dict, dict]:
    """Return a workflow's top-level permissions and its jobs."""
    workflow = load_yaml(path.read_text(encoding="utf-8"))
    assert "permissions" in workflow, f"{path}: set the default permissions explicitly"
    return workflow["permissions"], workflow["jobs"]


def test_least_permissions_and_oidc_only_in_deploy_jobs(workflows):
    for name, path in workflows.items():
        default, all_jobs = jobs(path)
        assert isinstance(default, dict), f"{name}: no read-all/write-all shorthand"
        assert set(default.values()) <= {"read", "none"}, f"{name}: default permissions write"
        for job_name, job in all_jobs.items():
            permissions = job.get("permissions", default)
            assert isinstance(permissions, dict), f"{name}:{job_name}: no read-all/write-all"
            writes = {scope for scope, level in permissions.items() if level == "write"}
            uses = [step.get("uses", "") for step in job.get("steps", [])]
            deploys = any(use.startswith(DEPLOY_ACTION) for use in uses)
            if deploys:
                assert writes == {"id-token"}, f"{name}:{job_name}: a deploy job only mints a token"
                assert job.get("environment"), f"{name}:{job_name}: deploys go through an environment"
            else:
                allowed = WRITERS.get((path.name, job_name), set())
                assert writes <= allowed, f"{name}:{job_name}: writes {writes - allowed}"
                assert job.get("if") or not writes, f"{name}:{job_name}: a writer runs only when it must"


def test_checkout_keeps_no_token(workflows):
    for name, path in workflows.items():
        for job_name, job in jobs(path)[1].items():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step.get("with", {}).get("persist-credentials") is False, f"{name}:{job_name}"


def test_prod_deploys_only_after_dev(baked_roots):
    for root in baked_roots.values():
        all_jobs = jobs(root / ".github" / "workflows" / "deploy.yml")[1]
        by_environment = {job.get("environment"): name for name, job in all_jobs.items()}
        assert {"dev", "prod"} <= set(by_environment)
        needs = all_jobs[by_environment["prod"]]["needs"]
        assert by_environment["dev"] in ([needs] if isinstance(needs, str) else needs)
        # A workflow_dispatch from another branch reaches no deploy job (so no role): dev's runs
        # from main only, and prod's needs dev's.
        assert all_jobs[by_environment["dev"]]["if"] == "github.ref == 'refs/heads/main'"
        dev_needs = all_jobs[by_environment["dev"]]["needs"]
        assert all_jobs[dev_needs if isinstance(dev_needs, str) else dev_needs[0]]["uses"].endswith(
            "ci.yml"
        ), "nothing is deployed that CI did not pass"


def test_ci_runs_every_check(baked_roots):
    for root in baked_roots.values():
        runs = {
            step["run"]
            for job in jobs(root / ".github" / "workflows" / "ci.yml")[1].values()
            for step in job.get("steps", [])
            if "run" in step
        }
        for target in ("check-conflicts", "lint", "test", "validate", "build", "scan", "audit"):
            assert f"make {target}" in runs, f"{root.name}: CI does not run make {target}"


def test_no_answer_where_github_could_execute_it(baked_roots):
    root = baked_roots["marked"]
    texts = [path.read_text(encoding="utf-8") for path in workflow_files(root)]
    assert any(MARK in text.lower() for text in texts), "the marked answers were rendered somewhere"
    for path, text in zip(workflow_files(root), texts, strict=True):
        for expression in EXPRESSION.findall(text):
            assert MARK not in expression.lower(), f"{path.name}: an answer inside {expression}"
        for job in load_yaml(text)["jobs"].values():
            for step in job.get("steps", []):
                assert MARK not in step.get("run", "").lower(), f"{path.name}: an answer in run: {step}"
                assert MARK not in str(step.get("env", "")).lower(), f"{path.name}: an answer in env"


# What would fetch and run code from a package index: not once a job holds AWS credentials.
INSTALLS = re.compile(r"pip install|-m venv|\buv\b|sam build")


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_a_deploy_job_installs_nothing_once_it_holds_aws_credentials(
    bake, project_env, tools_env, tmp_path, environment
):
    """Each deploy job's steps after configure-aws-credentials, as make would run them once the
    steps before have run: they deploy and test, and install and build nothing (a malicious
    release would otherwise run with the deploy role)."""
    answers = next(answers for answers in RUNTIMES if interpreter_for(answers["python_version"]))
    project = tmp_path / "project"
    shutil.copytree(bake(answers), project)
    envs = (f"VENV={project_env}", f"TOOLS_VENV={tools_env}")
    deploy_jobs = jobs(project / ".github" / "workflows" / "deploy.yml")[1]
    (steps,) = [job["steps"] for job in deploy_jobs.values() if job.get("environment") == environment]
    credentials = next(
        index for index, step in enumerate(steps) if "configure-aws-credentials" in step.get("uses", "")
    )
    before = [shlex.split(step["run"]) for step in steps[:credentials] if "run" in step]
    after = [shlex.split(step["run"]) for step in steps[credentials:] if "run" in step]
    assert ["make", "build"] in before
    assert all(command[0] == "make" for command in before + after)
    make(project, "build", envs[1])  # what the steps before leave: a build, installed envs
    for command in after:
        dry_run = make(project, "-n", *command[1:], *envs).stdout
        assert not INSTALLS.search(dry_run), f"{' '.join(command)} after the credentials runs:\n{dry_run}"
    assert after, "the job deploys"
