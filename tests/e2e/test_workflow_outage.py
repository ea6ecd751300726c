"""A registry outage mid-execution: retried with backoff, then "needs attention" — never lost."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.e2e.workflow_support import AlertInbox, execution, handed_over, submit_scenario, wait_status

pytestmark = pytest.mark.e2e


@pytest.fixture
def flaky_public_security():
    """Public security over HTTP: fails the first ``failures`` requests, then answers from the
    reference records."""
    state = {"failures": 0, "requests": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            from chalicelib.adapters.public_security import IdentityQuery, ReferencePublicSecurity

            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state["requests"] += 1
            if state["requests"] <= state["failures"]:
                status, payload = 503, {"error": "maintenance"}
            else:
                people = [IdentityQuery("x", p["name"], p["id_number"]) for p in body["people"]]
                answers = ReferencePublicSecurity().verify(people)
                status = 200
                payload = {"results": [{"id_number": p.id_number, "status": a.status} for p, a in zip(people, answers, strict=True)]}
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    state["url"] = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield state
    httpd.shutdown()
    httpd.server_close()


def test_a_short_outage_is_retried_and_the_case_completes(api, monkeypatch, flaky_public_security):
    flaky_public_security["failures"] = 2
    monkeypatch.setenv("PUBLIC_SECURITY_URL", flaky_public_security["url"])
    monkeypatch.setenv("REGISTRY_HTTP_ATTEMPTS", "1")  # let the state machine's Retry do the work
    case = submit_scenario(api, "sichuan", "instant")
    wait_status(api, case, "registered", timeout=30)
    assert flaky_public_security["requests"] == 3


def test_a_lasting_outage_ends_in_needs_attention_with_an_alert(api, stack, monkeypatch):
    alerts = AlertInbox(stack)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))  # bound, never listening: connection refused
        monkeypatch.setenv("PUBLIC_SECURITY_URL", f"http://127.0.0.1:{s.getsockname()[1]}")
        monkeypatch.setenv("REGISTRY_HTTP_ATTEMPTS", "1")
        case = submit_scenario(api, "chongqing", "instant")
        view = wait_status(api, case, "needs_attention", timeout=40)
    assert "TransientError" in view["history"][-1]["note"]
    alert = alerts.wait_for(case.case_id)
    assert alert["error"] == "TransientError" and alert["previous_status"] == "submitted"
    assert case.body["woman"]["id_number"] not in json.dumps(alert, ensure_ascii=False)
    deadline = time.monotonic() + 30  # RecordFailure alerts before the execution reaches its Fail state
    while (found := execution(stack, case.case_id))["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert found["status"] == "FAILED" and found.get("error") == "NeedsAttention"
    assert handed_over(stack, case.case_id) == [], "the automated steps failed: nothing to wait for"
