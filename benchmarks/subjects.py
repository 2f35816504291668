"""The functions under measurement: baked projects and the baselines written here.

Each becomes a `Subject`: a package directory as `sam build` makes it, with the handler name
and the environment it needs. A baked project's package comes from its own src/Makefile (what
`sam build` runs for it: dependencies, package, bytecode); a baseline's from SAM's default
Python builder's recipe (the handler's code plus ``pip install -r requirements.txt -t``, no
bytecode). Baselines are written into the work directory, never into the project.
"""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

# The floor: what any Python function costs under the runtime client.
BARE_HANDLER = """\
def lambda_handler(event, context):
    return {}
"""

# A first function as it is often written: the SDK client and the secret read inside the handler
# (one Secrets Manager call per invocation), then one synchronous POST per record, in turn.
NAIVE_HANDLER = """\
import json
import os
import urllib.request

import boto3


def lambda_handler(event, context):
    client = boto3.client("secretsmanager")
    api_key = client.get_secret_value(SecretId=os.environ["SECRET_NAME"])["SecretString"]
    for record in event["Records"]:
        request = urllib.request.Request(
            os.environ["TARGET_URL"],
            data=record["body"].encode(),
            headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    return {"batchItemFailures": []}
"""

# What `sam init`'s Powertools hello world sets up: Logger, Metrics and Tracer at module scope,
# tracing on (so Tracer patches botocore at init), the three decorators on the handler.
POWERTOOLS_HANDLER = """\
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace="Benchmark")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event, context):
    metrics.add_metric(name="Invocations", unit=MetricUnit.Count, value=1)
    logger.info("hello world")
    return {}
"""

BASELINES: dict[str, tuple[str, list[str], dict[str, str]]] = {
    # name: (handler source, requirements.txt lines, environment)
    "bare": (BARE_HANDLER, [], {}),
    # Many first functions list boto3 in requirements.txt, and so bundle it.
    "naive": (NAIVE_HANDLER, ["boto3==1.44.5"], {}),
    "powertools": (
        POWERTOOLS_HANDLER,
        ["aws-lambda-powertools==3.37.0", "aws-xray-sdk==2.15.0"],
        {
            "POWERTOOLS_SERVICE_NAME": "benchmark",
            # No X-Ray daemon here: the SDK would log a missing-context error on every call.
            "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR",
        },
    ),
}

# The no-op subject: a project baked with idempotency=off whose task does nothing, so its warm
# invocations measure the handler's own machinery (event loop, batch, scratch directory, log
# line) against the floor. Appended to task.py, this subclass takes the name handler.py imports.
NOOP = "no-op"
NOOP_TASK = """

class NoOpTask(Task):
    async def run(self, message: Message) -> None:
        return None  # written by the benchmark: only the handler's machinery is measured


Task = NoOpTask
"""

# What the Lambda Python runtime already provides: boto3 and everything it depends on.
PROVIDED_REQUIREMENT = "boto3==1.44.5"


@dataclass
class Subject:
    """One function to measure.

    Attributes:
        name: Its name in the report ("default", "idempotency=off", "bare", ...).
        handler: The handler as Lambda names it ("module.function").
        task_root: The built package (LAMBDA_TASK_ROOT).
        environ: Settings the function reads; the measurement adds endpoints and credentials.
        posts: Whether it POSTs each record to the target (the batch figures apply).
        baseline: Whether the benchmark wrote it (not a baked project).
        idempotency_table: The DynamoDB table it needs, if any.
        package_bytes: Zipped package size as built, and less what the runtime provides.
    """

    name: str
    handler: str
    task_root: str
    environ: dict[str, str]
    posts: bool
    baseline: bool
    idempotency_table: str | None = None
    package_bytes: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """Return the subject as plain data, for the measuring process."""
        return asdict(self)


def pip_install_target(python: Path, requirements: list[str], target: Path) -> None:
    """Install ``requirements`` into ``target`` as `sam build` does: no bytecode, no scripts needed."""
    target.mkdir(parents=True, exist_ok=True)
    if not requirements:
        return
    install = [str(python), "-m", "pip", "install", "--quiet", "--no-compile", "--target", str(target)]
    subprocess.run([*install, *requirements], check=True)  # noqa: S603 - arguments built here


def baked_subject(name: str, project: Path, python: Path, work: Path) -> Subject:
    """Build a baked project's package with its src/Makefile, as `sam build` does, and describe it.

    The functions run on ``python`` here, whatever runtime the project was baked for, so the
    bytecode is compiled by it and for it (each minor version has its own), and wheels are those
    of this machine's platform.
    """
    target = work / "packages" / name.replace("=", "-")
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    version = subprocess.run(  # noqa: S603 - the project environment's interpreter
        [str(python), "-c", "import sys; print(*sys.version_info[:2], sep='.')"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    build = [
        "make",  # looked up on PATH, as SAM looks it up
        "--silent",
        "build-Function",
        f"ARTIFACTS_DIR={target}",
        f"RUNTIME_VERSION={version}",
        f"PYTHON={python}",
        f"PLATFORM=manylinux2014_{platform.machine()}",
    ]
    subprocess.run(build, cwd=project / "src", check=True)  # noqa: S603 - arguments built here
    (handler_file,) = target.glob("*/handler.py")
    handler = f"{handler_file.parent.name}.handler.lambda_handler"
    parameters = json.loads((project / "env.json").read_text(encoding="utf-8"))["Parameters"]
    return Subject(
        name=name,
        handler=handler,
        task_root=str(target),
        environ=dict(parameters),
        posts=True,
        baseline=False,
        idempotency_table=parameters.get("IDEMPOTENCY_TABLE_NAME"),
    )


def noop_subject(project: Path, python: Path, work: Path) -> Subject:
    """Build ``project`` (baked with idempotency=off) with a task that does nothing."""
    copy = work / "noop-project"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (task,) = (copy / "src").glob("*/task.py")
    task.write_text(task.read_text(encoding="utf-8") + NOOP_TASK, encoding="utf-8")
    subject = baked_subject(NOOP, copy, python, work)
    subject.posts = False
    return subject


def baseline_subject(name: str, python: Path, work: Path) -> Subject:
    """Write a baseline's handler and requirements into a package directory and describe it."""
    source, requirements, environ = BASELINES[name]
    target = work / "packages" / name
    shutil.rmtree(target, ignore_errors=True)
    pip_install_target(python, requirements, target)
    (target / "handler.py").write_text(source, encoding="utf-8")
    return Subject(
        name=name,
        handler="handler.lambda_handler",
        task_root=str(target),
        environ=environ,
        posts=name == "naive",
        baseline=True,
    )


def provided_sdk(python: Path, work: Path) -> Path:
    """Install what the runtime provides (boto3 and its dependencies) into a directory of its own.

    Only its entries' names are used: they say what a package may leave out.
    """
    target = work / "packages" / "_provided"
    if not target.exists():
        pip_install_target(python, [PROVIDED_REQUIREMENT], target)
    return target


def zipped_size(root: Path, entries: list[Path]) -> int:
    """Return the size of a deflated zip of ``entries`` (files or directories under ``root``)."""
    archive = root.parent / f"{root.name}.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for entry in entries:
            files = [entry] if entry.is_file() else sorted(p for p in entry.rglob("*") if p.is_file())
            for path in files:
                zipped.write(path, path.relative_to(root))
    size = archive.stat().st_size
    archive.unlink()
    return size


def measure_package(subject: Subject, provided: Path) -> None:
    """Set ``subject.package_bytes``: zipped as built, and less what the runtime provides.

    As built: everything ``pip install -t`` put in the package, so a boto3 or botocore that the
    requirements pull in is bundled (and, first on the path, shadows the runtime's copy). Less
    what the runtime provides: the same without boto3 and its dependencies, which is what the
    function would deploy if it relied on the runtime's copy.
    """
    # bin/ holds console scripts, whichever package installed them: not the SDK's alone.
    provided_names = {entry.name for entry in provided.iterdir()} - {"bin"}
    root = Path(subject.task_root)
    entries = sorted(root.iterdir())
    own = [entry for entry in entries if entry.name not in provided_names]
    subject.package_bytes = {
        "as_built": zipped_size(root, entries),
        "without_provided": zipped_size(root, own),
    }
