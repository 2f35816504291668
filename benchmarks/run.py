"""``python -m benchmarks [answer=value ...]``: bake, build, measure side by side, write BENCHMARKS.md.

The default project is always baked; each argument ``answer=value`` (several joined with
commas: ``idempotency=off,tracing=on``) bakes one variant more. The baked project's
environment is built by its own Makefile, as the template's tests build it (and shared with
them under .cache/envs); the measurements run in it (`benchmarks.measure`).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

from benchmarks.report import render
from benchmarks.subjects import (
    BASELINES,
    NOOP,
    Subject,
    baked_subject,
    baseline_subject,
    measure_package,
    noop_subject,
    provided_sdk,
)
from tests.environments import (
    CACHE_DIR,
    REPO_ROOT,
    build_with_make,
    fingerprint,
    locks,
    project_python,
    sandboxed_environ,
)


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="*", help="answers of a variant to bake, e.g. idempotency=off")
    parser.add_argument("--cold-starts", type=int, default=10, help="fresh processes per function")
    parser.add_argument("--warm", type=int, default=500, help="warm invocations per function")
    parser.add_argument("--batches", type=int, default=5, help="1-record and 10-record batches each")
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "BENCHMARKS.md")
    parser.add_argument("--work-dir", type=Path, help="where to bake and build (a temporary one by default)")
    return parser.parse_args(argv)


def variant_answers(variant: str) -> dict[str, str]:
    """``"idempotency=off,tracing=on"`` → ``{"idempotency": "off", "tracing": "on"}``."""
    answers = dict(pair.split("=", 1) for pair in variant.split(",") if pair)
    if not answers:
        raise SystemExit(f"benchmarks: {variant!r}: expected answer=value")
    return answers


def bake(answers: dict[str, str], output: Path) -> Path:
    """Bake the template with ``answers`` into ``output``; return the project directory."""
    shutil.rmtree(output, ignore_errors=True)  # a previous run's bake
    output.mkdir(parents=True)
    return Path(cookiecutter(str(REPO_ROOT), no_input=True, extra_context=answers, output_dir=str(output)))


def project_environment(project: Path) -> Path:
    """The baked project's runtime + dev environment, built as the template's tests build it."""
    python = project_python()
    destination = CACHE_DIR / f"project-{fingerprint(python, *locks(project, 'dev'))}"
    return build_with_make(project, "install", "VENV", destination, PYTHON=python)


def runtime_environment(project: Path) -> Path:
    """An interpreter with only what Lambda's Python runtime provides: the runtime client and boto3.

    The functions run on it, so an import their package lacks fails as it would on Lambda, and
    nothing the development environment holds (moto, click, ...) is imported by accident.
    Pinned as the project's requirements/dev.txt pins them; kept under .cache/envs.
    """
    provided = ("awslambdaric==", "simplejson==", "snapshot-restore-py==", "boto3==")
    pins = [
        line.split()[0]  # name==version, before the line's continuation and hashes
        for line in (project / "requirements" / "dev.txt").read_text(encoding="utf-8").splitlines()
        if line.startswith(provided)
    ]
    python = project_python()
    destination = CACHE_DIR / f"runtime-{fingerprint(python, *pins)}"
    done = destination / ".complete"
    if not done.exists():
        shutil.rmtree(destination, ignore_errors=True)
        create = [python, "-m", "venv", str(destination)]
        subprocess.run(create, check=True, env=sandboxed_environ())  # noqa: S603 - fixed arguments
        pip = [str(destination / "bin" / "python"), "-m", "pip", "install", "--quiet", *pins]
        subprocess.run(pip, check=True, env=sandboxed_environ())  # noqa: S603 - pins read above
        done.touch()
    return destination / "bin" / "python"


def run(arguments: argparse.Namespace, work: Path) -> str:
    """Bake, build, measure; return the report."""
    print("baking", flush=True)
    projects = {"default": bake({}, work / "baked" / "default")}
    for variant in arguments.variants:
        projects[variant] = bake(variant_answers(variant), work / "baked" / variant.replace("=", "-"))
    environment = project_environment(projects["default"])
    python = environment / "bin" / "python"
    runtime_python = runtime_environment(projects["default"])

    print("building packages", flush=True)
    subjects: list[Subject] = [baked_subject(name, path, python, work) for name, path in projects.items()]
    noop_project = bake({"idempotency": "off"}, work / "baked" / NOOP)
    subjects.append(noop_subject(noop_project, python, work))
    subjects += [baseline_subject(name, python, work) for name in BASELINES]
    provided = provided_sdk(python, work)
    for subject in subjects:
        measure_package(subject, provided)

    spec = work / "spec.json"
    results = work / "results.json"
    spec.write_text(
        json.dumps(
            {
                "cold_starts": arguments.cold_starts,
                # The first batch of a cold start: the sqs trigger's default batch_size.
                "first_batch": int(json.loads((REPO_ROOT / "cookiecutter.json").read_text())["batch_size"]),
                "warm": arguments.warm,
                "batches": arguments.batches,
                "runtime_python": str(runtime_python),
                "subjects": [subject.to_json() for subject in subjects],
            }
        ),
        encoding="utf-8",
    )
    # The harness (local/) comes from the default bake; the functions run from their packages.
    subprocess.run(  # noqa: S603 - the project environment's interpreter, arguments built here
        [str(python), "-m", "benchmarks.measure", str(spec), str(results)],
        cwd=REPO_ROOT,
        env=sandboxed_environ(PYTHONPATH=os.pathsep.join([str(REPO_ROOT), str(projects["default"])])),
        check=True,
    )
    measured = json.loads(results.read_text(encoding="utf-8"))
    machine = {
        "cores": str(os.cpu_count()),
        "platform": platform.platform(),
        "python": measured["python"],
        "date": datetime.datetime.now(tz=datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    return render(subjects, measured, machine, arguments.command)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and write the report."""
    arguments = parse_arguments(argv)
    given = sys.argv[1:] if argv is None else argv
    arguments.command = shlex.join([".venv/bin/python", "-m", "benchmarks", *given])
    if arguments.work_dir is not None:
        report = run(arguments, arguments.work_dir.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="benchmarks-") as work:
            report = run(arguments, Path(work))
    arguments.output.write_text(report, encoding="utf-8")
    print(f"wrote {arguments.output}")
