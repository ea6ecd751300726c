"""The delivery adapter (chalicelib/adapters/sharing.py) against the reference receivers
(local/receivers.py), over HTTP: signature, deduplication on the event id, what is retried and what
is refused."""

from __future__ import annotations

import socket
import time

import pytest

from chalicelib.adapters import sharing, signed_http
from local.receivers import Receivers

RECORD = {
    "schema_version": 1,
    "type": "registration.registered",
    "case_id": "C1",
    "registration_number": "5001032026000001",
    "registered_at": "2026-12-01T10:00:00+08:00",
    "channel": "online",
    "office": {"code": "500103003", "name": "解放碑街道"},
    "child_order": 1,
    "woman": {"name": "张丽", "id_number": "500103199001011234"},
    "man": {"name": "王强", "id_number": "500103198801011234"},
}


@pytest.fixture(scope="module")
def receivers():
    r = Receivers().start()
    yield r
    r.stop()


@pytest.fixture
def yukuaiban(receivers):
    receivers["yukuaiban"].clear()
    r = receivers["yukuaiban"]
    return r, sharing.HttpReceiver("yukuaiban", receivers.url("yukuaiban"), r.app_key, r.secret, timeout=2)


def test_a_record_is_recorded_once_per_event_id(yukuaiban):
    receiver, adapter = yukuaiban
    first = adapter.deliver(RECORD, event_id="share:yukuaiban:C1:4")
    again = adapter.deliver(RECORD, event_id="share:yukuaiban:C1:4")  # a retry after a lost answer
    assert first == again
    assert list(receiver.records) == ["share:yukuaiban:C1:4"]
    assert receiver.records["share:yukuaiban:C1:4"]["woman"]["name"] == "张丽"
    other = adapter.deliver(RECORD, event_id="share:yukuaiban:C1:9")
    assert other != first and len(receiver.records) == 2


@pytest.mark.parametrize("status", [500, 503, 408, 429])
def test_an_outage_is_unavailable_and_retried_later(yukuaiban, status):
    receiver, adapter = yukuaiban
    receiver.fail_next(1, status)
    with pytest.raises(sharing.ShareUnavailable):
        adapter.deliver(RECORD, event_id="share:yukuaiban:C2:4")
    assert adapter.deliver(RECORD, event_id="share:yukuaiban:C2:4")
    assert len(receiver.records) == 1


def test_a_wrong_secret_is_refused(yukuaiban, receivers):
    receiver, adapter = yukuaiban
    forged = sharing.HttpReceiver("yukuaiban", adapter.url, adapter.app_key, "not-the-secret", timeout=2)
    with pytest.raises(sharing.ShareRefused) as refused:
        forged.deliver(RECORD, event_id="share:yukuaiban:C3:4")
    assert refused.value.status == 401
    assert not receiver.records


def test_an_incomplete_record_is_refused(yukuaiban):
    receiver, adapter = yukuaiban
    with pytest.raises(sharing.ShareRefused) as refused:
        adapter.deliver({k: v for k, v in RECORD.items() if k != "registration_number"}, event_id="share:yukuaiban:C4:4")
    assert refused.value.status == 400
    assert not receiver.records


def test_a_receiver_that_is_not_there_is_unavailable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    adapter = sharing.HttpReceiver("pis", f"http://127.0.0.1:{port}/pis/registrations", "k", "s", timeout=1)
    with pytest.raises(sharing.ShareUnavailable):
        adapter.deliver(RECORD, event_id="share:pis:C5:4")


def test_the_receiver_side_check_refuses_a_replayed_nonce_and_an_old_timestamp():
    body = b"{}"
    seen: set[str] = set()
    now = str(int(time.time()))
    headers = {"X-Timestamp": now, "X-Nonce": "n1",
               "X-Signature": signed_http.signature("s", path="/p", timestamp=now, nonce="n1", body=body)}
    assert signed_http.verify("s", headers, path="/p", body=body, seen_nonces=seen)
    assert not signed_http.verify("s", headers, path="/p", body=body, seen_nonces=seen)  # replayed
    old = str(int(time.time()) - signed_http.MAX_SKEW_SECONDS - 60)
    stale = {"X-Timestamp": old, "X-Nonce": "n2",
             "X-Signature": signed_http.signature("s", path="/p", timestamp=old, nonce="n2", body=body)}
    assert not signed_http.verify("s", stale, path="/p", body=body, seen_nonces=seen)
    assert not signed_http.verify("s", {**headers, "X-Nonce": "n3"}, path="/p", body=body, seen_nonces=seen)


def test_a_url_that_is_not_http_is_refused_at_configuration():
    with pytest.raises(ValueError, match="SHARING_PIS_URL"):
        signed_http.check_url("ftp://pis.example/registrations", "SHARING_PIS_URL")
