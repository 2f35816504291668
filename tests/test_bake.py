"""Bake a table of answer combinations; each must render fully, lint clean, pass its own tests
and validate with SAM, exactly as a user would run them (the baked Makefile's targets)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.environments import interpreter_for, make, sandboxed_environ
from tests.parsing import load_yaml

RUNTIMES = [
    {"python_version": version, "architecture": architecture}
    for version in ("3.14", "3.13", "3.12")
    for architecture in ("arm64", "x86_64")
]
OPTIONS = [
    {
        "tracing": "on",
        "alarm_email": "ops@example.com",
        "catalog_entry": "backstage",
        "catalog_owner": "group:default/payments",
        "idempotency": "off",
    },
    {
        "batch_size": "100",
        "timeout": "900",
        "memory_size": "10240",
        "env_vars": "API_REGION=eu-west-1,FEATURE_FLAG=on",
    },
    {
        # A package whose name sorts before "local", the local tooling's package: the imports of
        # both must still be in order (the default, webhook_relay, sorts after it).
        "project_name": "Csv Summary",
        "memory_size": "128",
        "timeout": "1",
        "batch_size": "1",
        "max_receive_count": "1",
        "secret_ttl_seconds": "1",
        "log_retention_days": "3653",
    },
    # The cold-start modes and the concurrency limits (tests/test_cold_start.py checks the wiring).
    {"cold_start": "snapstart", "python_version": "3.13"},
    {"cold_start": "provisioned", "provisioned_concurrency": "2"},
    {"reserved_concurrency": "50", "sqs_maximum_concurrency": "10"},
    # No secret: no Secrets Manager resource, permission, setting or cache; with no ledger
    # either, nothing imports an AWS SDK.
    {"secret_name": "", "idempotency": "off"},
    {"secret_name": "", "trigger": "s3", "cold_start": "snapstart", "python_version": "3.13"},
    # A blank task: no secret unless one is named; with SnapStart its renew hook is called.
    {"task": "blank"},
    {"task": "blank", "secret_name": "csv/api-key", "idempotency": "off"},
    {"task": "blank", "trigger": "sns", "secret_name": "csv/api-key", "env_vars": "TABLE_NAME=counts"},
    {
        "task": "blank",
        "trigger": "schedule",
        "cold_start": "snapstart",
        "python_version": "3.13",
        "idempotency": "off",
    },
]
# Every other trigger (tests/test_triggers.py checks the wiring), each with answers that change it.
TRIGGERS = [
    {"trigger": "schedule", "schedule_expression": "cron(0/15 8-17 ? * MON-FRI *)"},
    {
        "trigger": "eventbridge",
        "event_pattern": '{"source": ["com.example.orders"], "detail": {"amount": [{"numeric": [">", 100]}],'
        ' "note": ["Zoë 日本 🚀 \\"q\\": {x}"]}}',
        "idempotency": "off",
    },
    {"trigger": "s3", "s3_prefix": 'in "q": #x {y} *?$/', "s3_suffix": ".json"},
    {"trigger": "s3", "s3_prefix": "", "s3_suffix": "", "cold_start": "provisioned"},
    {"trigger": "sns", "cold_start": "snapstart", "python_version": "3.13"},
    {"trigger": "invoke", "reserved_concurrency": "5", "tracing": "on"},
]
# RUNTIMES[0] is the default answer set, baked here under its own name.
COMBINATIONS = [{}, *RUNTIMES[1:], *OPTIONS, *TRIGGERS]


def combination_id(answers: dict[str, str]) -> str:
    """Name an answer set readably in test ids, e.g. ``python_version:3.13,architecture:x86_64``."""
    return ",".join(f"{key}:{value}" for key, value in answers.items()) or "defaults"


# Template syntax that must never survive rendering; GitHub's own `${{ }}` expressions may.
UNRENDERED = re.compile(r"(?<!\$)\{\{|\{%|%\}|\{#")


# Every file the default answers generate, and nothing else (the package is named after the slug).
DEFAULT_FILES = {
    ".cookiecutter.json",
    ".github/dependabot.yml",
    ".github/workflows/ci.yml",
    ".github/workflows/deploy.yml",
    ".github/workflows/template-check.yml",
    ".gitignore",
    "Makefile",
    "deploy-roles.yaml",
    "README.md",
    "env.json",
    "events/sqs.json",
    "local/__init__.py",
    *(
        f"local/{module}.py"
        for module in (
            "aws",
            "event_loop",
            "find_python",
            "http_server",
            "http_stand_in",
            "in_process",
            "probe",
            "probe_task",
            "queue",
            "regenerate",
            "run",
            "runtime",
            "smoke",
            "target",
            "task_world",
        )
    ),
    "pyproject.toml",
    *(f"requirements/{name}.{kind}" for name in ("dev", "pip", "scan", "tools") for kind in ("in", "txt")),
    "samconfig.toml",
    "src/Makefile",
    "src/requirements.in",
    "src/requirements.txt",
    *(
        f"src/webhook_relay/{module}.py"
        for module in (
            "__init__",
            "aws_json",
            "batch",
            "events",
            "handler",
            "idempotency",
            "message",
            "scratch",
            "secret_cache",
            "settings",
            "sigv4",
            "task",
        )
    ),
    "template.yaml",
    "tests/conftest.py",
    "tests/integration/conftest.py",
    "tests/integration/test_handler.py",
    "tests/runtime/conftest.py",
    "tests/runtime/test_faults.py",
    "tests/runtime/test_init_limit.py",
    "tests/runtime/test_lambda_emulation.py",
    "tests/runtime/test_smoke.py",
    "tests/runtime/test_task_faults.py",
    *(
        f"tests/unit/test_{module}.py"
        for module in (
            "aws_json",
            "batch",
            "event_loop",
            "events",
            "http_stand_in",
            "requirements",
            "secret_cache",
            "settings",
            "sigv4",
            "task",
        )
    ),
}


def generated_files(project: Path) -> set[str]:
    return {path.relative_to(project).as_posix() for path in project.rglob("*") if path.is_file()}


def test_the_default_answers_generate_exactly_these_files(bake):
    assert generated_files(bake({})) == DEFAULT_FILES


def test_options_add_and_remove_exactly_their_files(bake):
    project = bake(OPTIONS[0])  # catalog_entry=backstage, idempotency=off
    removed = {"src/webhook_relay/idempotency.py"}
    added = {"catalog-info.yaml"}
    assert generated_files(project) == (DEFAULT_FILES - removed) | added
    entry = yaml.safe_load((project / "catalog-info.yaml").read_text(encoding="utf-8"))
    assert entry["apiVersion"] == "backstage.io/v1alpha1"
    assert entry["kind"] == "Component"
    assert entry["metadata"]["name"] == "webhook-relay"
    assert entry["metadata"]["title"] == "Webhook Relay"
    assert entry["spec"]["type"] == "service"
    assert entry["spec"]["lifecycle"] == "experimental"
    assert entry["spec"]["owner"] == "group:default/payments"


def test_without_a_secret_nothing_of_one_is_left(bake):
    project = bake({"secret_name": "", "idempotency": "off"})
    removed = {
        "src/webhook_relay/idempotency.py",
        "src/webhook_relay/secret_cache.py",
        "tests/unit/test_secret_cache.py",
        "tests/runtime/test_init_limit.py",
        # Nothing calls AWS: no client of its API either.
        "src/webhook_relay/aws_json.py",
        "src/webhook_relay/sigv4.py",
        "tests/unit/test_aws_json.py",
        "tests/unit/test_sigv4.py",
    }
    assert generated_files(project) == DEFAULT_FILES - removed
    for path in (
        "template.yaml",
        "env.json",
        "samconfig.toml",
        "src/webhook_relay/handler.py",
        "local/run.py",
    ):
        text = (project / path).read_text(encoding="utf-8")
        assert not re.search(r"(?i)secrets ?manager|secret_name|SecretCache|api.key", text), path
    template = (project / "template.yaml").read_text(encoding="utf-8")
    assert "AWS::SecretsManager" not in template
    assert "Parameters:\n  TargetUrl:" in template  # the task's own parameter stays


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://hooks.example.com/in", True),
        ("https://10.0.0.7:8443/in?source=relay#x", True),
        # Plain http would carry the API key and the bodies readable across the network.
        ("http://hooks.example.com/in", False),
        ("HTTP://hooks.example.com/in", False),
        ("https://user:password@hooks.example.com/in", False),  # credentials belong in the secret
        ("https://", False),
        ("ftp://hooks.example.com/in", False),
        ("https://hooks.example.com/in\nX-Injected: 1", False),
    ],
)
def test_the_target_url_parameter_is_https_without_credentials(bake, url, accepted):
    # CloudFormation matches AllowedPattern against the whole value (Java's matches()).
    template = load_yaml((bake({}) / "template.yaml").read_text(encoding="utf-8"))
    pattern = template["Parameters"]["TargetUrl"]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, url)) is accepted


def test_a_blank_task_has_nothing_of_the_example(bake):
    project = bake({"task": "blank"})
    removed = {
        "src/webhook_relay/secret_cache.py",  # no secret unless one is named
        "tests/unit/test_secret_cache.py",
        "tests/runtime/test_init_limit.py",
        "tests/runtime/test_task_faults.py",  # the example's target faults
    }
    assert generated_files(project) == DEFAULT_FILES - removed
    example = re.compile(r"(?i)httpx|target_url|TargetUrl|api.key|receiver")
    for path in (
        "template.yaml",
        "env.json",
        "samconfig.toml",
        "src/requirements.txt",
        "local/task_world.py",
    ):
        assert not example.search((project / path).read_text(encoding="utf-8")), path
    for path in (project / "src" / "webhook_relay").glob("*.py"):
        assert not example.search(path.read_text(encoding="utf-8")), path.name
    assert "Parameters:" not in (project / "template.yaml").read_text(encoding="utf-8")


SQS_FILES = {
    "events/sqs.json",
    "local/queue.py",
    "tests/integration/test_handler.py",
    "tests/runtime/test_faults.py",
}
ASYNC_FILES = {
    "local/async_invoke.py",
    "tests/integration/test_async_handler.py",
    "tests/runtime/test_async_faults.py",
}


@pytest.mark.parametrize("trigger", ["schedule", "eventbridge", "s3", "sns", "invoke"])
def test_each_trigger_has_its_files_and_none_of_another(bake, trigger):
    project = bake({"trigger": trigger})
    expected = (DEFAULT_FILES - SQS_FILES) | ASYNC_FILES | {f"events/{trigger}.json"}
    assert generated_files(project) == expected


def test_snapstart_adds_exactly_its_tests(bake):
    project = bake({"cold_start": "snapstart", "python_version": "3.13"})
    assert generated_files(project) == DEFAULT_FILES | {"tests/integration/test_snapstart.py"}


@pytest.fixture(params=COMBINATIONS, ids=combination_id)
def answers(request) -> dict[str, str]:
    return request.param


def test_nothing_left_unrendered(bake, answers):
    project = bake(answers)
    leftovers = [
        f"{path.relative_to(project)}:{number}: {line.strip()}"
        for path in sorted(project.rglob("*"))
        if path.is_file()
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1)
        if UNRENDERED.search(line)
    ]
    assert not leftovers
    assert not [path for path in project.rglob("*") if UNRENDERED.search(path.name)]


def test_lint_clean(bake, answers, project_env):
    make(bake(answers), "lint", f"VENV={project_env}")


def test_own_tests_pass(bake, answers, project_env):
    result = make(bake(answers), "test", f"VENV={project_env}")
    assert re.search(r"\b\d+ passed\b", result.stdout), result.stdout
    assert " failed" not in result.stdout


def test_sam_validate_and_cfn_lint(bake, answers, tools_env):
    make(bake(answers), "validate", f"TOOLS_VENV={tools_env}")


# The fault tests start a runtime-client process per cold start (about 30 s in all), so they run
# once for each way the task is wired: with the idempotency ledger and without it, for a batch
# (sqs) and for an asynchronous event.
@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"idempotency": "off"},
        {"trigger": "sns"},
        # No ledger, the secret read at init, and $LATEST beside the alias.
        {"trigger": "invoke", "idempotency": "off", "cold_start": "provisioned"},
        # No secret, for a batch and for an asynchronous event.
        {"secret_name": "", "idempotency": "off"},
        {"secret_name": "", "trigger": "eventbridge"},
        # A blank task, with and without a secret, for a batch and for an asynchronous event.
        {"task": "blank"},
        {"task": "blank", "secret_name": "csv/api-key", "idempotency": "off"},
        {"task": "blank", "trigger": "s3"},
        {"task": "blank", "trigger": "sns", "secret_name": "csv/api-key", "idempotency": "off"},
    ],
    ids=combination_id,
)
def test_faults_through_the_runtime_client(bake, answers, project_env):
    result = make(bake(answers), "test-faults", f"VENV={project_env}")
    assert re.search(r"\b\d+ passed\b", result.stdout), result.stdout
    assert " failed" not in result.stdout


@pytest.mark.parametrize("answers", RUNTIMES, ids=combination_id)
def test_sam_build(bake, answers, tools_env):
    version = answers["python_version"]
    if interpreter_for(version) is None:
        pytest.skip(f"sam build for python{version} needs python{version} on PATH; this machine has none")
    project = bake(answers)
    make(project, "build", f"TOOLS_VENV={tools_env}")
    built = project / ".aws-sam" / "build"
    function_dirs = [path for path in built.iterdir() if path.is_dir()]
    assert len(function_dirs) == 1
    function_dir = function_dirs[0]
    (package,) = [path.parent.name for path in (project / "src").glob("*/handler.py")]
    assert (function_dir / package / "handler.py").is_file(), "the package sits at the zip's root"
    assert (function_dir / "httpx").is_dir(), "runtime dependencies are bundled"
    assert not (function_dir / "boto3").exists(), (
        "the Lambda runtime provides boto3; bundling it wastes bytes"
    )
    # Bytecode of the runtime's version for the package and every dependency, loaded without a
    # check against its source (unchecked-hash: flags 0b01), so the zip's timestamps do not matter.
    tag = f"cpython-{version.replace('.', '')}"
    for directory in (package, "httpx", "httpcore", "anyio", "h11", "idna", "certifi"):
        sources = sorted((function_dir / directory).rglob("*.py"))
        assert sources, directory
        for source in sources:
            compiled = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
            assert compiled.is_file(), f"no bytecode for {source.relative_to(function_dir)}"
            assert compiled.read_bytes()[4:8] == b"\x01\0\0\0", f"{compiled.name} is not unchecked-hash"
    names = {path.name for path in (function_dir / package / "__pycache__").iterdir()}
    assert all(tag in name for name in names), f"bytecode of another Python (left by tests?): {names}"


def test_make_run_works_and_never_shows_the_secret(bake, answers, project_env):
    """`make run` runs the sample event; the secret, if any, appears in no log, error or answer."""
    project = bake(answers)
    world = (project / "local" / "task_world.py").read_text(encoding="utf-8")
    secrets = re.findall(r'^LOCAL_API_KEY = "([^"]+)"|secret="([^"]+)"', world, flags=re.MULTILINE)
    secrets = [value for pair in secrets for value in pair if value]
    # A blank task has no secret unless one is named; the worked example has one unless refused.
    default_secret = "" if answers.get("task") == "blank" else "a name"
    assert bool(secrets) == bool(answers.get("secret_name", default_secret))
    result = make(project, "run", f"VENV={project_env}")
    assert re.search(r"(batch|event) processed: \d+ received", result.stdout), result.stdout
    if answers.get("task", "http_delivery") == "http_delivery":
        assert "The receiver accepted" in result.stdout
    # botocore's INFO lines on where it found credentials and endpoints are silenced, as billed
    # lines that say nothing new.
    assert '"logger": "botocore' not in result.stdout
    for secret in secrets:
        assert secret not in result.stdout + result.stderr


def test_the_environment_is_made_with_the_runtimes_python_or_the_newest_supported_one(bake, tmp_path):
    """The runtime's Python wins wherever the machine has it; without it the newest of 3.12 to 3.14
    is taken with a warning naming the difference, except with EXACT_PYTHON=1 (CI); without
    any, nothing is made and the message says how to get one."""
    found = [interpreter_for(version) for version in ("3.13", "3.12")]
    if None in found:
        pytest.skip("this test needs Python 3.13 and 3.12")
    # The interpreters themselves, not pyenv's shims, which need more than this PATH to run.
    runtime_python, other_python = (
        subprocess.run(  # noqa: S603 - a fixed probe of a local interpreter
            [interpreter, "-c", "import sys; print(sys.executable)"],
            env=sandboxed_environ(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for interpreter in found
    )
    project = bake({"python_version": "3.13"})
    path = tmp_path / "bin"
    path.mkdir()
    # The system's tools, but none of its Pythons (a system may have a supported one) or uv; and
    # no pyenv to look in: only the interpreters this test puts on PATH are found.
    for system in ("/usr/bin", "/bin"):
        for tool in Path(system).iterdir():
            if not tool.name.startswith(("python", "uv")) and not (path / tool.name).exists():
                (path / tool.name).symlink_to(tool)
    environ = sandboxed_environ(PATH=str(path), PYENV_ROOT=str(tmp_path))
    venv = tmp_path / "venv"

    def make_with_path(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - make with arguments built here
            # The Python that runs local/find_python.py is named, not on PATH: never a candidate.
            ["make", *arguments, f"VENV={venv}", f"TOOLS_PYTHON={sys.executable}"],  # noqa: S607
            cwd=project,
            env=environ,
            capture_output=True,
            text=True,
            check=False,
        )

    def chosen(*arguments: str) -> subprocess.CompletedProcess[str]:
        return make_with_path("--eval", "chosen-python: ; @echo $(PYTHON)", "chosen-python", *arguments)

    refused = make_with_path("install")
    assert refused.returncode != 0
    assert "Python 3.13 or another of 3.12 to 3.14 was not found" in refused.stderr
    assert "uv python install 3.13, or pyenv install 3.13" in refused.stderr
    assert not venv.exists()

    (path / "python3.12").symlink_to(other_python)
    fallback = chosen()
    assert fallback.stdout.strip() == str(path / "python3.12")
    assert "warning: Python 3.13 (the function's Lambda runtime) was not found" in fallback.stderr
    assert "uses Python 3.12" in fallback.stderr
    exact = chosen("EXACT_PYTHON=1")
    assert exact.stdout.strip() == ""
    assert "make: Python 3.13 was not found" in exact.stderr

    (path / "python3.13").symlink_to(runtime_python)
    for arguments in ((), ("EXACT_PYTHON=1",)):
        runtime = chosen(*arguments)
        assert runtime.stdout.strip() == str(path / "python3.13")
        assert not runtime.stderr


def pins(project: Path) -> set[str]:
    """Every requirement the project's environment installs (`make install`), with its hashes."""
    lines = re.sub(r"\s*\\\n\s*", " ", (project / "requirements" / "dev.txt").read_text(encoding="utf-8"))
    return {line for line in lines.splitlines() if not line.lstrip().startswith("#")}


def test_a_blank_task_installs_what_the_shared_test_environment_has(bake):
    # Every bake's tests run in the environment made from the default bake's requirements
    # (tests/conftest.py): a blank bake's own .venv must install the same, the probe's httpx too.
    assert pins(bake({"task": "blank"})) == pins(bake({}))
