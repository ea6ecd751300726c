"""The HTTP implementations of the three registries against a local HTTP server.

The server speaks the documented contracts (chalicelib/adapters/public_security.py,
civil_affairs.py, population.py) and can misbehave on request: answer 503 a number of times,
answer too slowly, answer 400 or something that is not JSON. Proves: the request shapes, the
answers' mapping, the per-attempt timeout, retries with backoff on 5xx/429/timeouts/refused
connections (``RegistryUnavailable`` after the last attempt) and no retry on a 4xx or a malformed
answer (``RegistryError``).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chalicelib.adapters import civil_affairs, population, public_security, registries
from chalicelib.adapters.registries import RegistryError, RegistryUnavailable

PEOPLE = {"510104199503081284": "李娟", "510104199307151357": "王强"}
MARRIAGES = {"J510104-2021-001234": ("510104199503081284", "510104199307151357", "2021-05-20")}


class Registry:
    """State of the fake registries plus the faults to inject."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict]] = []
        self.fail_next = 0  # answer 503 this many times
        self.fail_status = 503
        self.delay = 0.0
        self.reply_raw: bytes | None = None
        self.status_override: int | None = None
        self.households: dict[tuple[str, str], list[dict]] = {
            ("510104199503081284", "510104199307151357"): [{"name": "王小雨", "id_number": None, "birth_date": "2023-04-10", "sex": "female", "relation": "joint"}]
        }

    def answer(self, path: str, body: dict) -> tuple[int, object]:
        if path == "/v1/identity/verify":
            results = []
            for p in body["people"]:
                name = PEOPLE.get(p["id_number"])
                status = "not_found" if name is None else ("match" if name == p["name"] else "name_mismatch")
                results.append({"id_number": p["id_number"], "status": status})
            return 200, {"results": results}
        if path == "/v1/marriages/verify":
            record = MARRIAGES.get(body["certificate_number"])
            if record is None:
                return 200, {"status": "not_found"}
            if record[:2] != (body["woman_id"], body["man_id"]):
                return 200, {"status": "parties_mismatch"}
            return 200, {"status": "match" if record[2] == body["date"] else "date_mismatch"}
        if path == "/v1/households/query":
            children = self.households.get((body["woman_id"], body["man_id"]))
            return 200, ({"found": False} if children is None else {"found": True, "children": children})
        if path == "/v1/households/children":
            known = self.households.setdefault((body["woman_id"], body["man_id"]), [])
            new = [c for c in body["children"] if c not in known]
            known += new
            return 200, {"added": len(new)}
        return 404, {"error": "unknown path"}


@pytest.fixture(scope="module")
def _http():
    holder: dict[str, Registry] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            state = holder["state"]
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append((self.path, body))
            if state.delay:
                time.sleep(state.delay)
            if state.fail_next > 0:
                state.fail_next -= 1
                status, payload = state.fail_status, {"error": "unavailable"}
            elif state.status_override:
                status, payload = state.status_override, {"error": "bad request"}
            else:
                status, payload = state.answer(self.path, body)
            raw = state.reply_raw if state.reply_raw is not None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield holder, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def server(_http):
    holder, url = _http
    state = Registry()
    state.url = url
    holder["state"] = state
    return state


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    monkeypatch.setattr(registries, "BACKOFF_SECONDS", 0.01)
    monkeypatch.setenv("REGISTRY_HTTP_TIMEOUT_SECONDS", "0.5")
    monkeypatch.setenv("REGISTRY_HTTP_ATTEMPTS", "3")


WOMAN = public_security.IdentityQuery("woman", "李娟", "510104199503081284")
MAN = public_security.IdentityQuery("man", "王强", "510104199307151357")


# ------------------------------------------------------------------------------------- contracts
def test_public_security_statuses(server):
    adapter = public_security.HttpPublicSecurity(server.url)
    answers = adapter.verify([WOMAN, public_security.IdentityQuery("man", "王刚", MAN.id_number)])
    assert [(a.role, a.status) for a in answers] == [("woman", "match"), ("man", "name_mismatch")]
    path, body = server.requests[-1]
    assert path == "/v1/identity/verify"
    assert body == {"people": [{"name": "李娟", "id_number": WOMAN.id_number}, {"name": "王刚", "id_number": MAN.id_number}]}
    assert adapter.verify([public_security.IdentityQuery("woman", "李娟", "510104199001011234")])[0].status == "not_found"


def test_civil_affairs_statuses(server):
    adapter = civil_affairs.HttpCivilAffairs(server.url)
    q = civil_affairs.MarriageQuery("J510104-2021-001234", WOMAN.id_number, MAN.id_number, "2021-05-20", "51")
    assert adapter.verify(q).status == "match"
    assert server.requests[-1][1]["province_code"] == "51"
    assert adapter.verify(civil_affairs.MarriageQuery(q.certificate_number, WOMAN.id_number, MAN.id_number, "2021-06-01", "51")).status == "date_mismatch"
    assert adapter.verify(civil_affairs.MarriageQuery("J510104-2020-999999", WOMAN.id_number, MAN.id_number, "2021-05-20", "51")).status == "not_found"


def test_population_query_and_update(server):
    adapter = population.HttpPopulationRegistry(server.url)
    children = adapter.household(WOMAN.id_number, MAN.id_number)
    assert [c.name for c in children] == ["王小雨"]
    assert adapter.household("510104199001011234", MAN.id_number) is None
    newborn = population.RecordedChild("王小川", "2026-10-01", "male", None, "joint")
    assert adapter.add_children(WOMAN.id_number, MAN.id_number, [newborn], source="CASE1") == 1
    assert server.requests[-1][1]["source"] == "CASE1"
    assert [c.name for c in adapter.household(WOMAN.id_number, MAN.id_number)] == ["王小雨", "王小川"]


def test_the_url_selects_the_http_implementation(server, monkeypatch):
    monkeypatch.setenv("PUBLIC_SECURITY_URL", server.url + "/")
    monkeypatch.setenv("CIVIL_AFFAIRS_URL", server.url)
    monkeypatch.setenv("POPULATION_REGISTRY_URL", server.url)
    assert isinstance(public_security.default(), public_security.HttpPublicSecurity)
    assert public_security.default().base_url == server.url
    assert isinstance(civil_affairs.default(), civil_affairs.HttpCivilAffairs)
    assert isinstance(population.default(), population.HttpPopulationRegistry)
    monkeypatch.setenv("PUBLIC_SECURITY_URL", "")
    assert isinstance(public_security.default(), public_security.ReferencePublicSecurity)


# ------------------------------------------------------------------------------ faults and retries
@pytest.mark.parametrize("status", [503, 500, 429])
def test_transient_answers_are_retried_with_backoff(server, status):
    server.fail_next, server.fail_status = 2, status
    answers = public_security.HttpPublicSecurity(server.url).verify([WOMAN])
    assert answers[0].status == "match"
    assert len(server.requests) == 3


def test_unavailable_after_the_last_attempt(server):
    server.fail_next = 10
    with pytest.raises(RegistryUnavailable):
        civil_affairs.HttpCivilAffairs(server.url).verify(
            civil_affairs.MarriageQuery("J510104-2021-001234", WOMAN.id_number, MAN.id_number, "2021-05-20", "51")
        )
    assert len(server.requests) == 3


def test_a_slow_answer_times_out_per_attempt(server):
    server.delay = 0.8
    started = time.monotonic()
    with pytest.raises(RegistryUnavailable):
        population.HttpPopulationRegistry(server.url).household(WOMAN.id_number, MAN.id_number)
    elapsed = time.monotonic() - started
    assert 1.4 < elapsed < 3.5, elapsed  # three attempts of 0.5 s, not three of 0.8 s
    server.delay = 0


def test_a_refused_connection_is_unavailable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"  # bound, not listening: refused
        with pytest.raises(RegistryUnavailable):
            public_security.HttpPublicSecurity(dead).verify([WOMAN])


def test_a_client_error_is_not_retried(server):
    server.status_override = 400
    with pytest.raises(RegistryError):
        public_security.HttpPublicSecurity(server.url).verify([WOMAN])
    assert len(server.requests) == 1


@pytest.mark.parametrize("raw", [b"<html>gateway</html>", b"[1, 2]", b'{"results": "nope"}', b'{"status": "maybe"}'])
def test_a_malformed_answer_is_a_registry_error(server, raw):
    server.reply_raw = raw
    with pytest.raises(RegistryError):
        public_security.HttpPublicSecurity(server.url).verify([WOMAN])
    with pytest.raises(RegistryError):
        civil_affairs.HttpCivilAffairs(server.url).verify(
            civil_affairs.MarriageQuery("J510104-2021-001234", WOMAN.id_number, MAN.id_number, "2021-05-20", "51")
        )
