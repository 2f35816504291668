"""The benchmark in a tiny mode: it runs end to end and its figures show the behaviour promised.

Only behaviour is asserted (calls counted, requests overlapping, bytes), never a time: the full
benchmark (``python -m benchmarks``) writes BENCHMARKS.md and stays out of CI.
"""

from __future__ import annotations

import json

import pytest

from benchmarks.run import main

WARM = 20


@pytest.fixture(scope="module")
def benchmark(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, dict]:
    """Run the benchmark once, tiny: report, measured results by name, packages by name."""
    work = tmp_path_factory.mktemp("benchmarks")
    report = work / "BENCHMARKS.md"
    tiny = ["--cold-starts", "1", "--warm", str(WARM), "--batches", "1"]
    main([*tiny, "--work-dir", str(work), "--output", str(report)])
    results = json.loads((work / "results.json").read_text())["results"]
    subjects = json.loads((work / "spec.json").read_text())["subjects"]
    return (
        report.read_text(),
        {result["name"]: result for result in results},
        {subject["name"]: subject["package_bytes"] for subject in subjects},
    )


def test_report_has_every_figure_for_the_default_bake_and_the_baselines(benchmark) -> None:
    report, results, _ = benchmark
    assert set(results) == {"default", "bare", "naive", "powertools"}
    for section in ("## Figures", "## Ratios", "## Targets", "## The ten most expensive imports"):
        assert section in report
    assert "-m benchmarks --cold-starts 1" in report
    for result in results.values():
        assert len(result["cold_ms"]) == 1
        assert 0 < result["init_ms"][0] <= result["cold_ms"][0]
    assert results["default"]["imports"], "the import profile lists what the handler imports"


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


def test_default_package_is_smaller_than_a_naive_one_bundling_boto3(benchmark) -> None:
    _, _, packages = benchmark
    assert packages["default"]["without_provided"] < packages["naive"]["with_provided"]
    assert packages["default"]["without_provided"] < packages["powertools"]["without_provided"]
