"""The benchmark in a tiny mode: it runs end to end and its figures show the behaviour promised.

Only behaviour is asserted (calls counted, requests overlapping, bytes), never a time: the full
benchmark (``python -m benchmarks``) writes BENCHMARKS.md and stays out of CI.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.environments import REPO_ROOT

WARM = 20


@pytest.fixture(scope="module")
def benchmark(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, dict]:
    """Run the benchmark once, tiny: report, measured results by name, packages by name."""
    work = tmp_path_factory.mktemp("benchmarks")
    report = work / "BENCHMARKS.md"
    tiny = ["--cold-starts", "1", "--warm", str(WARM), "--batches", "1"]
    # In a process of its own, as the README runs it: cookiecutter's state stays out of this one.
    subprocess.run(  # noqa: S603 - this interpreter, arguments built here
        [sys.executable, "-m", "benchmarks", *tiny, "--work-dir", str(work), "--output", str(report)],
        cwd=REPO_ROOT,
        check=True,
    )
    results = json.loads((work / "results.json").read_text())["results"]
    subjects = json.loads((work / "spec.json").read_text())["subjects"]
    return (
        report.read_text(),
        {result["name"]: result for result in results},
        {subject["name"]: subject["package_bytes"] for subject in subjects},
    )


def test_report_has_every_figure_for_the_default_bake_and_the_baselines(benchmark) -> None:
    report, results, _ = benchmark
    assert set(results) == {"default", "no-op", "bare", "naive", "powertools"}
    for section in ("## Figures", "## Ratios", "## Targets", "## The ten most expensive imports"):
        assert section in report
    assert "-m benchmarks --cold-starts 1" in report
    for result in results.values():
        assert len(result["cold_ms"]) == len(result["cold_batch_ms"]) == 1
        assert 0 < result["init_ms"][0] <= result["cold_ms"][0]
    # Every function's cold start is measured with a first batch of the sqs trigger's default size too.
    assert "| cold start, first batch of 10: median (\u00d7one record) |" in report
    assert "| first batch of 10 \u00d7powertools |" in report
    assert results["default"]["imports"], "the import profile lists what the handler imports"
    assert "warm p50 within 1 ms of the floor for a no-op task" in report


def test_default_reads_the_secret_once_per_container(benchmark) -> None:
    _, results, _ = benchmark
    assert results["default"]["secret_calls_init"] == 1
    assert results["default"]["secret_calls_warm"] == 0
    # The recorder sees every call: the naive handler reads the secret on each invocation.
    assert results["naive"]["secret_calls_warm"] == WARM


def test_a_batch_calls_the_target_concurrently(benchmark) -> None:
    _, results, _ = benchmark
    assert results["default"]["max_in_flight"] > 1
    # The receiver's count is real: records handled one after another never overlap.
    assert results["naive"]["max_in_flight"] == 1
    # The no-op task POSTs nothing, so it has no batch figures.
    assert results["no-op"]["one_ms"] is None


def test_default_package_bundles_no_sdk_and_is_the_smallest_that_works(benchmark) -> None:
    _, _, packages = benchmark
    # The naive handler lists boto3 in its requirements, so its build bundles the SDK.
    assert packages["default"]["as_built"] < packages["naive"]["as_built"]
    assert packages["naive"]["without_provided"] < packages["naive"]["as_built"]
    # boto3 is not bundled: nothing the runtime provides is in the default package.
    assert packages["default"]["as_built"] == packages["default"]["without_provided"]
    # What each deploys (ours with bytecode, which Powertools' hello world does not ship).
    assert packages["default"]["as_built"] < packages["powertools"]["as_built"]


def test_the_committed_report_names_the_readme_command() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    command = next(line for line in readme.splitlines() if "-m benchmarks" in line)
    invocation = command[command.index(".venv/bin/python -m benchmarks") :]
    assert f"- Command: `{invocation}`" in (REPO_ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
