"""Start the embedded local stack: moto server, our resources, demo data, and the API.

Used by ``make run`` (``python -m local``) and by the end-to-end tests, so both exercise
exactly the same wiring. Everything lives in memory and is gone when the process ends.
"""

from __future__ import annotations

import json
import logging
import os
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
            # moto checks staff TOTP codes (its fixed secret) as Cognito does, instead of accepting any
            "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true",
        }
    )


def _context(api_url: str, receivers) -> dict[str, str]:
    """Setting values of this run: what the process environment sets (a developer's
    ``SMS_DAILY_LIMIT=3 make run``, the tests' limits), else the declared local values; the
    deliveries to 渝快办 / PIS go to the reference receivers (local/receivers.py)."""
    from infra.settings import SETTINGS

    context = {s.name: os.environ[s.name] for s in SETTINGS if s.name in os.environ}
    context.setdefault("PUBLIC_BASE_URL", api_url)
    for name, value in receivers.settings().items():
        context.setdefault(name, value)
    return context


def _parameter_values() -> dict[str, str]:
    # The public-security check is open in working hours only (000 §2.3.5); locally it is always
    # open unless set (local/README.md shows the waiting branch with VERIFICATION_WINDOW=09:00-17:30).
    window = os.environ.get("VERIFICATION_WINDOW")
    return {"VerificationWindow": window} if window else {}


def _put(env, name: str, value: str | None) -> None:
    if value is None:
        env.pop(name, None)
    else:
        env[name] = value


@dataclass
class LocalStack:
    moto_port: int = 0
    api_port: int | None = 8000
    seed: bool = True
    names: dict[str, str] = field(default_factory=dict)
    # unit ("api" or a function id) -> the environment the template gives it (infra/settings.py)
    environments: dict[str, dict[str, str]] = field(default_factory=dict)
    api_environment: dict[str, str] = field(default_factory=dict)
    _moto: object | None = None
    _api: object | None = None
    _api_thread: threading.Thread | None = None
    _scheduler: object | None = None
    receivers: object | None = None  # local/receivers.py: 渝快办 and PIS as the adapters reach them

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

        from local import atomic_writes, iam, lambdas, moto_overheads, outbox
        from local.keepalive import LocalEndpoint

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's per-request lines
        default_user_config["stepfunctions"]["execute_state_machine"] = True
        lambdas.install()
        iam.install()  # every unit's AWS calls are checked against its role policy
        outbox.install()
        atomic_writes.install()  # DynamoDB's conditional writes are atomic; moto's are not
        moto_overheads.install()  # per-request work whose answer never changes, done once
        self._moto = LocalEndpoint(self.moto_port).start()  # moto's app, connections kept alive

        import boto3

        from infra import resources
        from infra.settings import ALL_UNITS, API, environment_of
        from local.deploy import deploy
        from local.receivers import Receivers

        self.receivers = Receivers().start()
        context = _context(self.api_url if self.api_port else "http://127.0.0.1:8000", self.receivers)
        self.names = deploy(STAGE, REGION, context, _parameter_values())
        # the secrets the receivers share with us, where an operator puts the real ones
        boto3.client("secretsmanager", region_name=REGION).put_secret_value(
            SecretId=self.names[resources.SHARING_CREDENTIALS.id], SecretString=self.receivers.credentials()
        )
        self.environments = {unit: environment_of(unit, self.names, STAGE, context) for unit in ALL_UNITS}
        # Every unit runs in this process: its environment is the union of theirs (the API's included).
        for unit in (*ALL_UNITS[1:], API):
            os.environ.update(self.environments[unit])
        # The harness (seed data, tests) reads every resource; each unit reads only its own
        # environment (local/iam.py): the task functions their moto configuration, the API this.
        self.api_environment = self.environments[API]
        iam.deployed_variables = frozenset(self.api_environment).union(
            *(self._function_environment(fn.id) for fn in resources.FUNCTIONS)
        )

        from chalicelib import config

        config.reset_clients()
        if self.seed:
            from local.seed import seed_demo_records

            seed_demo_records()
        from local.schedules import Scheduler

        self._scheduler = Scheduler(self.names).start()
        from local import faults

        if faults.from_environment():  # BIRTHREG_FAULTS=0.1: fault injection (local/faults.py)
            log.warning("fault injection: %.0f %% of AWS and registry calls fail", faults.rate() * 100)
        if self.api_port is not None:
            self._start_api()
        return self

    def configure(self, name: str, value: str | None) -> dict[str, str | None]:
        """Change a declared setting (infra/settings.py) the way an operator changes a deployment:
        in the environment of every unit that declares it -- the API's, and each task function's
        Lambda configuration, read at every invocation -- and in this process's (the harness).
        ``None`` removes it. Returns unit -> previous value, for ``restore``."""
        from infra.settings import API, by_name

        previous: dict[str, str | None] = {"": os.environ.get(name)}
        units = by_name()[name].units
        for unit in units:
            env = self.api_environment if unit == API else self._function_environment(unit)
            previous[unit] = env.get(name)
            _put(env, name, value)
        _put(os.environ, name, value)
        return previous

    def restore(self, name: str, previous: dict[str, str | None]) -> None:
        from infra.settings import API

        for unit, value in previous.items():
            if unit == "":
                _put(os.environ, name, value)
            else:
                _put(self.api_environment if unit == API else self._function_environment(unit), name, value)

    def _function_environment(self, function_id: str) -> dict[str, str]:
        from moto.awslambda.models import lambda_backends

        from local.deploy import ACCOUNT

        return lambda_backends[ACCOUNT][REGION].get_function(self.names[function_id]).environment_vars

    def _start_api(self) -> None:
        from chalice.config import Config
        from chalice.local import ChaliceRequestHandler, CustomLocalChalice, LocalChalice, LocalDevServer

        import app as app_module
        from local import clock, iam, outbox, web
        from local.receivers import send_json

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

        api_role, api_environment = self.names["ApiRole"], self.api_environment

        class Handler(ChaliceRequestHandler):
            """chalice local's handler, plus what exists only in the local stack."""

            def _generic_handle(self) -> None:
                if self.path.startswith(("/_dev/outbox", "/_dev/clock")):
                    self._dev_route()
                    return
                accept = self.headers.get("Accept", "")
                page = web.resolve(self.path, accept) if self.command in ("GET", "HEAD") else None
                status = 200
                if page is None and self.command in ("GET", "HEAD") and web.not_found(self.path, accept):
                    page, status = web.not_found(self.path, accept), 404  # a browser's unknown URL
                if page is not None:  # the web front end (local/web.py), as CloudFront serves it in AWS
                    body = page.read_bytes()
                    self.send_response(status)
                    for name, value in web.headers(page, len(body)).items():
                        self.send_header(name, value)
                    self.end_headers()
                    if self.command == "GET":
                        self.wfile.write(body)
                    return
                with iam.running("api", api_role, api_environment):  # as the API runs deployed
                    super()._generic_handle()

            def _dev_route(self) -> None:
                """What only the local stack answers: the SMS outbox and the settable clock (local/clock.py)."""
                status, answer = 200, None
                if self.path.startswith("/_dev/outbox"):
                    answer = {"messages": outbox.messages()}
                elif self.command not in ("GET", "POST"):
                    status, answer = 405, {"error": {"code": "METHOD_NOT_ALLOWED", "message": "仅支持 GET 与 POST"}}
                else:
                    length = int(self.headers.get("Content-Length") or 0)
                    try:
                        raw = self.rfile.read(length) if length else b""
                        body = json.loads(raw) if raw else None
                        answer = clock.handle(self.command, body)
                    except ValueError as exc:  # malformed JSON, or a ClockRequestInvalid
                        code, path = getattr(exc, "code", "MALFORMED_JSON"), getattr(exc, "path", "")
                        message = getattr(exc, "message", "请求体不是有效的 JSON")
                        status, answer = 400, {"error": {"code": code, "message": message, "details": [{"path": path, "code": code, "message": message}]}}
                send_json(self, status, answer)

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
        if self._scheduler is not None:
            self._scheduler.stop()
            self._scheduler = None
        if self._api is not None:
            self._api.shutdown()
            self._api = None
        if self._moto is not None:
            self._moto.stop()
            self._moto = None
        if self.receivers is not None:
            self.receivers.stop()
            self.receivers = None
