"""local/http_stand_in.py: the stand-in a task's own tests and `make run` point the task at."""

import json

import httpx

from local.http_stand_in import HttpStandIn

RATES = 'Zoë\'s rates: "EUR" 1.0'


def test_it_answers_what_it_is_told_for_any_method_and_records_every_request():
    with HttpStandIn() as service:
        service.answer("GET", "/latest", json.dumps({"EUR": 1.0}), content_type="application/json")
        service.answer("PUT", "/rates/2026-11-23", status=204)
        with httpx.Client(base_url=service.url) as client:
            got = client.get("/latest?base=EUR", headers={"Authorization": "Bearer key"})
            put = client.put("/rates/2026-11-23", content=RATES.encode())
            missing = client.delete("/latest")

    assert (got.status_code, got.json(), got.headers["Content-Type"]) == (
        200,
        {"EUR": 1.0},
        "application/json",
    )
    assert (put.status_code, missing.status_code) == (204, 404)
    assert [(r.method, r.path) for r in service.requests] == [
        ("GET", "/latest?base=EUR"),
        ("PUT", "/rates/2026-11-23"),
        ("DELETE", "/latest"),
    ]
    assert service.requests[0].headers["authorization"] == "Bearer key"  # any case
    assert service.requests[1].body.decode() == RATES


def test_an_answer_for_a_query_wins_over_the_one_for_its_path():
    with HttpStandIn() as service:
        service.answer("GET", "/latest", "any base")
        service.answer("GET", "/latest?base=USD", "dollars")
        with httpx.Client(base_url=service.url) as client:
            assert client.get("/latest?base=USD").text == "dollars"
            assert client.get("/latest?base=EUR").text == "any base"
            assert client.head("/latest").content == b""
