"""Start the embedded local stack: moto server, our resources, demo data, and the API.

Used by ``make run`` (``python -m local``) and by the end-to-end tests, so both exercise
exactly the same wiring. Everything lives in memory and is gone when the process ends.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
STAGE = "local"
log = logging.getLogger("birthreg.local")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare_environment(moto_port: int) -> None:
    # Fake credentials, and every AWS client of this process (boto3, botocore, PynamoDB)
    # talks to the moto server. Step Functions reaches Lambda through MOTO_PORT.
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_SESSION_TOKEN": "local",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
            "MOTO_PORT": str(moto_port),
            "BIRTHREG_STAGE": STAGE,
        }
    )
    os.environ.setdefault("BIRTHREG_SECRET", secrets.token_hex(32))
    # The public-security check is open in working hours only (000 §2.3.5); locally it is always
    # open unless set (local/README.md shows the waiting branch with VERIFICATION_WINDOW=09:00-17:30).
    os.environ.setdefault("VERIFICATION_WINDOW", "always")


@dataclass
class LocalStack:
    moto_port: int = 0
    api_port: int | None = 8000
    seed: bool = True
    names: dict[str, str] = field(default_factory=dict)
    _moto: object | None = None
    _api: object | None = None
    _api_thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def start(self) -> LocalStack:
        self.moto_port = self.moto_port or free_port()
        _prepare_environment(self.moto_port)

        from moto.core.config import default_user_config
        from moto.server import ThreadedMotoServer

        from local import atomic_writes, lambdas, outbox

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request lines
        default_user_config["stepfunctions"]["execute_state_machine"] = True
        lambdas.install()
        outbox.install()
        atomic_writes.install()  # DynamoDB's conditional writes are atomic; moto's are not
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        self._moto.start()

        from infra import resources
        from local.deploy import deploy

        self.names = deploy(STAGE, REGION)
        os.environ.update(resources.all_environment(self.names))
        os.environ.setdefault("PUBLIC_BASE_URL", self.api_url if self.api_port else "http://127.0.0.1:8000")

        from chalicelib import config

        config.reset_clients()
        if self.seed:
            from local.seed import seed_demo_records

            seed_demo_records()
        if self.api_port is not None:
            self._start_api()
        return self

    def _start_api(self) -> None:
        from chalice.config import Config
        from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer

        import app as app_module
        from local import outbox, web

        app_obj = app_module.app
        # What chalice.local.create_local_server does, with our request handler.
        CustomLocalChalice.__bases__ = (LocalChalice, app_obj.__class__)
        app_obj.__class__ = CustomLocalChalice
        chalice_config = Config.create(
            chalice_stage=STAGE,
            app_name="birthreg-api",
            project_dir=str(ROOT),
            config_from_disk=json.loads((ROOT / ".chalice" / "config.json").read_text()),
        )

        class Handler(ChaliceRequestHandler):
            """chalice local's handler, plus what exists only in the local stack."""

            def _generic_handle(self) -> None:
                if self.path.startswith("/_dev/outbox"):
                    body = json.dumps({"messages": outbox.messages()}, ensure_ascii=False).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                page = web.resolve(self.path, self.headers.get("Accept", "")) if self.command in ("GET", "HEAD") else None
                if page is not None:  # the web front end (local/web.py), as CloudFront serves it in AWS
                    body = page.read_bytes()
                    self.send_response(200)
                    for name, value in web.headers(page, len(body)).items():
                        self.send_header(name, value)
                    self.end_headers()
                    if self.command == "GET":
                        self.wfile.write(body)
                    return
                super()._generic_handle()

            # chalice binds do_GET & co. to its own _generic_handle; rebind them to the override above.
            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle
            def __getattr__(self, name: str):
                # Any other method (TRACE, QUERY, ...) gets the app's JSON 405, not http.server's HTML 501.
                if name.startswith("do_"):
                    return self._generic_handle
                raise AttributeError(name)

            def _send_error_response(self, error) -> None:
                # API Gateway answers an unknown route with 403 "Missing Authentication
                # Token"; the deployed API maps that gateway response to this 404 JSON
                # (infra/stack.py), and so does the local server.
                if error.CODE == 403 and b"Missing Authentication Token" in (error.body or b""):
                    body = json.dumps(
                        {"error": {"code": "NOT_FOUND", "message": "请求的地址不存在", "details": []}},
                        ensure_ascii=False,
                    ).encode()
                    self._send_http_response(404, {"Content-Type": "application/json; charset=utf-8"}, body)
                    return
                super()._send_error_response(error)

            def log_message(self, format: str, *args) -> None:  # quiet: one line per request at debug
                log.debug("api %s", format % args)

        self._api = LocalDevServer(app_obj, chalice_config, "127.0.0.1", self.api_port, handler_cls=Handler)
        self._api_thread = threading.Thread(target=self._api.serve_forever, daemon=True)
        self._api_thread.start()

    def stop(self) -> None:
        from local import lambdas

        lambdas.quiet_for_shutdown()
        if self._api is not None:
            self._api.shutdown()
            self._api = None
        if self._moto is not None:
            self._moto.stop()
            self._moto = None
