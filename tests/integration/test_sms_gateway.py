"""The domestic SMS gateway sender (adapters/sms.py) against a local HTTP server on 127.0.0.1.

The server checks what a real gateway checks (app key, timestamp, signature over the body) and
answers from a script: success, 5xx, slow (timeout), 4xx, a refusal in a 200.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chalicelib.adapters import sms

APP_KEY = "birthreg-test"
SECRET = "gateway-secret-for-tests"
PATH = "/v1/sms/send"


class Gateway:
    def __init__(self) -> None:
        self.script: list[tuple[int, dict, float]] = []
        self.requests: list[dict] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ts, nonce = self.headers["X-Timestamp"], self.headers["X-Nonce"]
                text = "\n".join(("POST", self.path, ts, nonce, hashlib.sha256(body).hexdigest()))
                expected = hmac.new(SECRET.encode(), text.encode(), hashlib.sha256).hexdigest()
                gateway.requests.append(
                    {
                        "path": self.path,
                        "app_key": self.headers["X-App-Key"],
                        "timestamp": int(ts),
                        "nonce": nonce,
                        "signature_ok": hmac.compare_digest(expected, self.headers["X-Signature"]),
                        "content_type": self.headers["Content-Type"],
                        "body": json.loads(body),
                    }
                )
                status, answer, delay = gateway.script.pop(0) if gateway.script else (200, {"code": "OK", "message_id": "m-1"}, 0)
                if not gateway.requests[-1]["signature_ok"] or self.headers["X-App-Key"] != APP_KEY:
                    status, answer, delay = 401, {"code": "BAD_SIGNATURE", "message": "签名错误"}, 0
                time.sleep(delay)
                payload = json.dumps(answer, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{PATH}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def _server():
    g = Gateway()
    yield g
    g.close()


@pytest.fixture
def gateway(_server):
    _server.script, _server.requests = [], []
    return _server


def _sender(gateway: Gateway, **kw) -> sms.GatewaySmsSender:
    kw.setdefault("timeout", 2.0)
    return sms.GatewaySmsSender(gateway.url, APP_KEY, SECRET, sleep=lambda _s: None, **kw)


TEXT = "【生育登记】验证码123456，用于提交生育登记，5分钟内有效，请勿告知他人。"


def test_signed_json_post(gateway):
    assert _sender(gateway).send("13800001111", TEXT) == "m-1"
    (req,) = gateway.requests
    assert req["path"] == PATH and req["app_key"] == APP_KEY and req["signature_ok"]
    assert req["content_type"].startswith("application/json")
    assert abs(req["timestamp"] - time.time()) < 5 and len(req["nonce"]) == 32
    assert req["body"]["phone"] == "13800001111" and req["body"]["content"] == TEXT and req["body"]["client_ref"]


def test_e164_numbers_are_sent_in_domestic_form(gateway):
    _sender(gateway).send("+8613800001111", TEXT)
    assert gateway.requests[0]["body"]["phone"] == "13800001111"


def test_server_errors_are_retried_with_the_same_client_ref(gateway):
    gateway.script = [(503, {}, 0), (500, {"code": "INTERNAL"}, 0), (200, {"code": "OK", "message_id": "m-3"}, 0)]
    assert _sender(gateway, retries=2).send("13800001111", TEXT) == "m-3"
    assert len(gateway.requests) == 3
    assert len({r["body"]["client_ref"] for r in gateway.requests}) == 1, "the gateway can deduplicate"
    assert len({r["nonce"] for r in gateway.requests}) == 3, "every attempt is signed afresh"


def test_timeouts_are_retried(gateway):
    gateway.script = [(200, {"code": "OK", "message_id": "late"}, 1.0), (200, {"code": "OK", "message_id": "m-2"}, 0)]
    started = time.monotonic()
    assert _sender(gateway, timeout=0.3, retries=1).send("13800001111", TEXT) == "m-2"
    assert time.monotonic() - started < 3


def test_client_errors_are_not_retried_and_say_why(gateway):
    gateway.script = [(400, {"code": "INVALID_PHONE", "message": "号码格式错误"}, 0)]
    with pytest.raises(sms.SmsRejected) as info:
        _sender(gateway, retries=3).send("13800001111", TEXT)
    assert len(gateway.requests) == 1
    assert info.value.status == 400 and info.value.code == "INVALID_PHONE" and info.value.message == "号码格式错误"
    assert "INVALID_PHONE" in str(info.value)


def test_a_refusal_in_a_200_is_a_rejection(gateway):
    gateway.script = [(200, {"code": "BLACKLISTED", "message": "用户已退订"}, 0)]
    with pytest.raises(sms.SmsRejected) as info:
        _sender(gateway).send("13800001111", TEXT)
    assert info.value.code == "BLACKLISTED" and len(gateway.requests) == 1


def test_wrong_secret_is_a_clear_rejection(gateway):
    sender = sms.GatewaySmsSender(gateway.url, APP_KEY, "wrong-secret", sleep=lambda _s: None)
    with pytest.raises(sms.SmsRejected) as info:
        sender.send("13800001111", TEXT)
    assert info.value.status == 401 and info.value.code == "BAD_SIGNATURE"


def test_gives_up_after_the_retries(gateway):
    gateway.script = [(502, {}, 0)] * 3
    with pytest.raises(sms.SmsUnavailable, match="3 attempts"):
        _sender(gateway, retries=2).send("13800001111", TEXT)
    assert len(gateway.requests) == 3


def test_unreachable_gateway():
    sender = sms.GatewaySmsSender("http://127.0.0.1:9/v1/sms/send", APP_KEY, SECRET, timeout=0.5, retries=1, sleep=lambda _s: None)
    with pytest.raises(sms.SmsUnavailable):
        sender.send("13800001111", TEXT)


def test_too_long_text_is_refused_before_sending(gateway):
    with pytest.raises(sms.SmsTooLong):
        _sender(gateway).send("13800001111", "长" * 71)
    assert gateway.requests == []


@pytest.fixture
def secrets_manager(monkeypatch):
    """moto's Secrets Manager, reached through config's cached clients (reset around the test)."""
    from moto import mock_aws

    from chalicelib import config

    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    config.reset_clients()
    with mock_aws():
        yield config.client("secretsmanager")
    config.reset_clients()


def test_chosen_by_environment_with_the_secret_from_secrets_manager(gateway, monkeypatch, secrets_manager):
    arn = secrets_manager.create_secret(Name="birthreg-test-sms-gateway", SecretString=json.dumps({"secret": SECRET}))["ARN"]
    monkeypatch.setenv("SMS_SENDER", "gateway")
    monkeypatch.setenv("SMS_GATEWAY_URL", gateway.url)
    monkeypatch.setenv("SMS_GATEWAY_APP_KEY", APP_KEY)
    monkeypatch.setenv("SMS_GATEWAY_SECRET_ARN", arn)
    monkeypatch.setenv("SMS_GATEWAY_TIMEOUT_SECONDS", "1.5")
    monkeypatch.setenv("SMS_GATEWAY_RETRIES", "2")
    sender = sms.default_sender()
    assert isinstance(sender, sms.GatewaySmsSender) and sender.timeout == 1.5 and sender.retries == 2
    assert sender.secret == SECRET
    assert sender.send("13800001111", TEXT) == "m-1"  # the gateway checked the signature with SECRET
    monkeypatch.setenv("SMS_SENDER", "carrier-pigeon")
    with pytest.raises(RuntimeError, match="SMS_SENDER"):
        sms.default_sender()


def test_the_placeholder_secret_is_refused(monkeypatch, secrets_manager):
    # the stack creates the secret as {"secret": ""}; the operator fills it in (infra/README.md)
    arn = secrets_manager.create_secret(Name="birthreg-test-sms-placeholder", SecretString='{"secret": ""}')["ARN"]
    monkeypatch.setenv("SMS_SENDER", "gateway")
    monkeypatch.setenv("SMS_GATEWAY_URL", "https://sms.example.gov.cn/send")
    monkeypatch.setenv("SMS_GATEWAY_APP_KEY", APP_KEY)
    monkeypatch.setenv("SMS_GATEWAY_SECRET_ARN", arn)
    with pytest.raises(RuntimeError, match="fill it in"):
        sms.default_sender()


def test_no_sender_without_a_choice(monkeypatch):
    monkeypatch.delenv("SMS_SENDER", raising=False)
    with pytest.raises(RuntimeError, match="SMS_SENDER"):
        sms.default_sender()


def test_non_http_url_is_refused():
    with pytest.raises(ValueError):
        sms.GatewaySmsSender("file:///etc/passwd", APP_KEY, SECRET)
