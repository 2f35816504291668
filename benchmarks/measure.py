"""The measurements, run inside a baked project's environment: ``python -m benchmarks.measure``.

Every function runs under the real runtime client through the baked project's own harness
(local/runtime.py), against one moto server and one local receiver on 127.0.0.1. Variants are
interleaved (one cold start of each in turn, one warm invocation of each in turn), so a load
change on the machine touches them all alike; figures are medians.

Arguments: a JSON file with the subjects and counts (written by `benchmarks.run`), and the
JSON file to write the results to.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from local.aws import FAKE_CREDENTIALS, PROFILE_VARIABLES, create_secret, moto_server, start_recording
from local.queue import sqs_event
from local.runtime import LambdaProcess
from local.target import Receiver

from benchmarks.tls import moto_over_tls

API_KEY = "benchmark-api-key"  # made up; only the local receiver accepts it
SECRET_NAME = "benchmark/target-api-key"  # noqa: S105 - a name, not a secret
TIMEOUT_SECONDS = 30.0
TARGET_DELAY_SECONDS = 0.05  # each target call of the batch figures takes this long
BATCH_SIZE = 10


class Bench:
    """The shared stand-ins, and the environment of each subject."""

    def __init__(
        self, endpoint_url: str, tls: tuple[str, Path], receiver: Receiver, spec: dict[str, Any]
    ) -> None:
        self.endpoint_url = endpoint_url  # plain HTTP: where the benchmark seeds and counts
        self.tls_endpoint_url, self.ca_bundle = tls  # where the functions call AWS
        self.runtime_python: str = spec["runtime_python"]
        self.receiver = receiver
        self.subjects: list[dict[str, Any]] = spec["subjects"]
        self._ids = 0

    def environ(self, index: int, **extra: str) -> dict[str, str]:
        """The environment of subject ``index``: its settings pointed at the local stand-ins.

        Each subject signs with an access key id of its own, so the moto recording tells whose
        calls it saw. Bytecode is not written: Lambda's package directory is read-only.
        """
        subject = self.subjects[index]
        environ = {name: value for name, value in os.environ.items() if name not in PROFILE_VARIABLES}
        environ.update(subject["environ"])
        environ.update(FAKE_CREDENTIALS)
        environ.update(
            AWS_ACCESS_KEY_ID=access_key(index),
            AWS_ENDPOINT_URL=self.tls_endpoint_url,
            AWS_CA_BUNDLE=str(self.ca_bundle),
            TARGET_URL=self.receiver.url,
            SECRET_NAME=SECRET_NAME,
            SECRET_TTL_SECONDS="300",  # noqa: S106 - seconds, not a secret
            PYTHONDONTWRITEBYTECODE="1",
        )
        environ.update(extra)
        return environ

    @contextmanager
    def function(self, index: int, **extra: str) -> Iterator[LambdaProcess]:
        """Run an instance of subject ``index`` (a cold start)."""
        subject = self.subjects[index]
        with LambdaProcess(
            subject["handler"],
            self.environ(index, **extra),
            TIMEOUT_SECONDS,
            task_root=Path(subject["task_root"]),
            python=self.runtime_python,
        ) as function:
            yield function

    def event(self, count: int) -> dict[str, Any]:
        """An event whose message ids were never seen (idempotency would skip a repeat)."""
        self._ids += 1
        prefix = f"m{self._ids}"
        return sqs_event(*(json.dumps({"order": f"{prefix}-{n}"}) for n in range(count)), prefix=prefix)


def access_key(index: int) -> str:
    """The access key id subject ``index`` signs its AWS calls with."""
    return f"BENCHSUBJECT{index:08d}"


def invoke(function: LambdaProcess, event: dict[str, Any]) -> float:
    """Invoke and return the round trip in seconds; fail loudly unless every record succeeded."""
    started = time.perf_counter()
    outcome = function.invoke(event)
    elapsed = time.perf_counter() - started
    failed = outcome.payload.get("batchItemFailures") if isinstance(outcome.payload, dict) else None
    if outcome.kind != "response" or failed:
        raise RuntimeError(f"{outcome.kind}: {outcome.payload}\n{function.logs}")
    return elapsed


def cold_starts(bench: Bench, rounds: int, first_batch: int) -> dict[int, dict[str, list[float]]]:
    """Start each subject ``rounds`` times, in turn, with one record: spawn → first response, and
    spawn → init done; and as often with a first batch of ``first_batch`` records (an SQS
    function's first invocation usually carries a batch): spawn → first response."""
    figures: dict[int, dict[str, list[float]]] = defaultdict(
        lambda: {"cold": [], "init": [], "cold_batch": []}
    )
    for _ in range(rounds):
        for records, figure in ((1, "cold"), (first_batch, "cold_batch")):
            for index in range(len(bench.subjects)):
                event = bench.event(records)
                with bench.function(index) as function:
                    invoke(function, event)
                    answered = time.monotonic()
                    assert function.spawned_at is not None
                    assert function.init_done_at is not None
                    figures[index][figure].append(answered - function.spawned_at)
                    if records == 1:
                        figures[index]["init"].append(function.init_done_at - function.spawned_at)
    return figures


def import_profiles(bench: Bench) -> dict[int, list[tuple[str, float]]]:
    """One cold start of each subject under ``-X importtime``: each package's own import time.

    A package's figure is the self time of its modules summed (so no time is counted twice),
    leaving out modules the bare baseline imports too (the runtime client's own).
    """
    profiles: dict[int, dict[str, int]] = {}
    for index in range(len(bench.subjects)):
        with bench.function(index, PYTHONPROFILEIMPORTTIME="1") as function:
            invoke(function, bench.event(1))
            profiles[index] = parse_importtime(function.logs)
    floor = next(i for i, s in enumerate(bench.subjects) if s["name"] == "bare")
    floor_modules = set(profiles[floor])
    result: dict[int, list[tuple[str, float]]] = {}
    for index, modules in profiles.items():
        totals: dict[str, int] = defaultdict(int)
        for module, self_us in modules.items():
            if module not in floor_modules or index == floor:
                totals[module.split(".")[0]] += self_us
        ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)
        result[index] = [(package, micros / 1000) for package, micros in ranked[:10]]
    return result


def parse_importtime(log: str) -> dict[str, int]:
    """Map each module in a ``-X importtime`` log to its self time in microseconds."""
    modules: dict[str, int] = {}
    for line in log.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line.removeprefix("import time:").split("|", 2)
        modules[name.strip()] = modules.get(name.strip(), 0) + int(self_us)
    return modules


def secret_calls_by_subject(endpoint_url: str) -> dict[str, int]:
    """Count GetSecretValue requests the moto server recorded, by the caller's access key id."""
    address = urlsplit(endpoint_url)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port)
    try:
        connection.request("GET", "/moto-api/recorder/download-recording")
        recording = connection.getresponse().read().decode()
    finally:
        connection.close()
    calls: dict[str, int] = defaultdict(int)
    for line in recording.splitlines():
        if not line.strip():
            continue
        headers = json.loads(line)["headers"]
        if headers.get("X-Amz-Target") == "secretsmanager.GetSecretValue":
            credential = headers.get("Authorization", "").split("Credential=")[-1]
            calls[credential.split("/")[0]] += 1
    return calls


def warm_and_batches(bench: Bench, warm: int, batches: int) -> dict[int, dict[str, Any]]:
    """Warm latency, secret-store calls and batch concurrency, one process per subject.

    All processes are started together; invocations go to each in turn.
    """
    count = len(bench.subjects)
    figures: dict[int, dict[str, Any]] = {index: {} for index in range(count)}
    with ExitStack() as stack:
        start_recording(bench.endpoint_url)
        functions = [stack.enter_context(bench.function(index)) for index in range(count)]
        for function in functions:
            invoke(function, bench.event(1))
        at_init = secret_calls_by_subject(bench.endpoint_url)
        latencies: list[list[float]] = [[] for _ in range(count)]
        for _ in range(warm):
            for index, function in enumerate(functions):
                latencies[index].append(invoke(function, bench.event(1)))
        after_warm = secret_calls_by_subject(bench.endpoint_url)
        for index in range(count):
            key = access_key(index)
            figures[index]["warm_ms"] = [seconds * 1000 for seconds in latencies[index]]
            figures[index]["secret_calls_init"] = at_init.get(key, 0)
            figures[index]["secret_calls_warm"] = after_warm.get(key, 0) - at_init.get(key, 0)

        bench.receiver.delay_seconds = TARGET_DELAY_SECONDS
        for index in range(count):
            figures[index].update(one_ms=[], batch_ms=[], max_in_flight=0)
        for _ in range(batches):
            for index, function in enumerate(functions):
                if not bench.subjects[index]["posts"]:
                    continue
                figures[index]["one_ms"].append(invoke(function, bench.event(1)) * 1000)
                bench.receiver.max_in_flight = 0
                figures[index]["batch_ms"].append(invoke(function, bench.event(BATCH_SIZE)) * 1000)
                figures[index]["max_in_flight"] = max(
                    figures[index]["max_in_flight"], bench.receiver.max_in_flight
                )
        bench.receiver.delay_seconds = 0.0
    return figures


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile (0..1) of ``values``, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    """Measure the subjects of the spec file; write the results file."""
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    subjects: list[dict[str, Any]] = spec["subjects"]
    # moto's server logs each request it serves, at INFO, through werkzeug's own logger.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with (
        moto_server() as endpoint_url,
        tempfile.TemporaryDirectory() as certificates,
        moto_over_tls(Path(certificates)) as tls,
        Receiver(api_key=API_KEY) as receiver,
    ):
        create_secret(endpoint_url, SECRET_NAME, API_KEY)
        for subject in subjects:
            if subject["idempotency_table"]:
                from local.aws import create_idempotency_table  # only in projects baked with it

                create_idempotency_table(endpoint_url, subject["idempotency_table"])
        bench = Bench(endpoint_url, tls, receiver, spec)
        print(
            f"cold starts: {spec['cold_starts']} of each of {len(subjects)} functions with one record,"
            f" as many with {spec['first_batch']}",
            flush=True,
        )
        cold = cold_starts(bench, spec["cold_starts"], spec["first_batch"])
        print("import profiles", flush=True)
        imports = import_profiles(bench)
        print(f"warm: {spec['warm']} invocations of each; batches: {spec['batches']}", flush=True)
        warm = warm_and_batches(bench, spec["warm"], spec["batches"])
        deliveries = len(receiver.deliveries)
    results = []
    for index, subject in enumerate(subjects):
        figures = warm[index]
        results.append(
            {
                "name": subject["name"],
                "cold_ms": [seconds * 1000 for seconds in cold[index]["cold"]],
                "init_ms": [seconds * 1000 for seconds in cold[index]["init"]],
                "cold_batch_ms": [seconds * 1000 for seconds in cold[index]["cold_batch"]],
                "warm_p50_ms": statistics.median(figures["warm_ms"]),
                "warm_p99_ms": percentile(figures["warm_ms"], 0.99),
                "one_ms": statistics.median(figures["one_ms"]) if figures["one_ms"] else None,
                "batch_ms": statistics.median(figures["batch_ms"]) if figures["batch_ms"] else None,
                "max_in_flight": figures["max_in_flight"],
                "secret_calls_init": figures["secret_calls_init"],
                "secret_calls_warm": figures["secret_calls_warm"],
                "imports": imports[index],
            }
        )
    output = {
        "python": sys.version.split()[0],
        "first_batch": spec["first_batch"],
        "warm": spec["warm"],
        "deliveries": deliveries,
        "results": results,
    }
    Path(sys.argv[2]).write_text(json.dumps(output, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
