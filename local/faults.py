"""Fault injection for the local stack only: fail a share of the calls to AWS and to the registries.

Switch: ``BIRTHREG_FAULTS=0.1 make run`` (or ``faults.set_rate(0.1)`` in a test or benchmark) fails
10 % of the calls, chosen at random (``BIRTHREG_FAULTS_SEED`` makes the choice repeatable):

AWS (every botocore call of the process: the API, the task functions, PynamoDB), one of
    - HTTP 500 or 503 before the request is sent (the service's internal error / unavailable),
    - a throttling error (HTTP 400 ``ThrottlingException``) on JSON services (DynamoDB, Step
      Functions, KMS, Cognito),
    - a connect timeout before the request is sent,
    - a read timeout after a *read* (Get/Query/Scan/Describe/List) was served: the answer is lost.
    botocore's own retries absorb most of these, as in AWS; the rest reach the code.
    Not faulted: ``lambda:Invoke`` -- the emulated Step Functions and EventBridge use it to run the
    task functions (in AWS that hop is theirs, retried by the ASL ``Retry`` on ``Lambda.*``).
Registries (``chalicelib/adapters``: public security, civil affairs, population), one of
    ``RegistryUnavailable`` or ``TimeoutError`` before the registry is asked. The workflow's
    ``Retry`` on ``TransientError`` takes them; after its attempts the case needs attention.

Writes are never failed *after* they were applied: botocore would resend them and a conditional
write would then see its own first attempt (DynamoDB's transactions take a client token for that;
moto ignores it), which is a different experiment.
"""

from __future__ import annotations

import contextlib
import functools
import os
import random
import threading
from collections import Counter
from collections.abc import Iterator

_lock = threading.Lock()
_state = {"rate": 0.0}
_random = random.Random(os.environ.get("BIRTHREG_FAULTS_SEED"))  # noqa: S311 - choosing faults, not secrets
injected: Counter[str] = Counter()
_installed = False

_READS = ("Get", "Query", "Scan", "Describe", "List", "BatchGet")
_JSON_PROTOCOLS = ("json",)
_NOT_FAULTED = {("lambda", "Invoke")}


def rate() -> float:
    return _state["rate"]


def set_rate(value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError("the fault rate is a share between 0 and 1")
    install()
    _state["rate"] = value


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No faults inside (e.g. while a benchmark counts what is stored)."""
    previous = _state["rate"]
    _state["rate"] = 0.0
    try:
        yield
    finally:
        _state["rate"] = previous


def _roll() -> bool:
    if _state["rate"] <= 0:
        return False
    with _lock:
        return _random.random() < _state["rate"]


def _choice(options: tuple[str, ...]) -> str:
    with _lock:
        return _random.choice(options)


def _error_response(request, status: int, body: bytes, headers: dict[str, str]):
    from botocore.awsrequest import AWSResponse

    class _Raw:
        def __init__(self, data: bytes) -> None:
            self._data = data

        def stream(self, **_kwargs):
            yield self._data

        def read(self, *_args, **_kwargs) -> bytes:
            data, self._data = self._data, b""
            return data

    return AWSResponse(request.url, status, headers, _Raw(body))


def _aws_fault(endpoint, request, operation_model, context, original):
    from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

    service = operation_model.service_model.service_name
    name = operation_model.name
    protocol = operation_model.service_model.resolved_protocol
    kinds = ["500", "503", "connect_timeout"]
    if protocol in _JSON_PROTOCOLS:
        kinds.append("throttle")
    if name.startswith(_READS):
        kinds.append("lost_read")
    kind = _choice(tuple(kinds))
    injected[f"aws:{service}:{kind}"] += 1
    if kind == "connect_timeout":
        return None, ConnectTimeoutError(endpoint_url=request.url)
    if kind == "lost_read":
        original(endpoint, request, operation_model, context)
        return None, ReadTimeoutError(endpoint_url=request.url)
    if kind == "throttle":
        http = _error_response(
            request,
            400,
            b'{"__type":"com.amazonaws#ThrottlingException","message":"Rate exceeded (injected fault)"}',
            {"Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": "ThrottlingException"},
        )
    else:
        http = _error_response(request, int(kind), b"", {})
    # let botocore parse it as it parses a real answer
    return _parse(endpoint, http, operation_model, context)


def _parse(endpoint, http, operation_model, context):
    from botocore.endpoint import convert_to_response_dict

    response_dict = convert_to_response_dict(http, operation_model)
    parser = endpoint._response_parser_factory.create_parser(operation_model.service_model.resolved_protocol)
    parsed = parser.parse(response_dict, operation_model.output_shape)
    if http.status_code >= 300:
        endpoint._add_modeled_error_fields(response_dict, parsed, operation_model, parser)
    return (http, parsed), None


def _install_aws() -> None:
    from botocore.endpoint import Endpoint

    original = Endpoint._do_get_response
    if getattr(original, "_faults", False):
        return

    @functools.wraps(original)
    def do_get_response(self, request, operation_model, context):
        key = (operation_model.service_model.service_name, operation_model.name)
        if key not in _NOT_FAULTED and _roll():
            return _aws_fault(self, request, operation_model, context, original)
        return original(self, request, operation_model, context)

    do_get_response._faults = True
    Endpoint._do_get_response = do_get_response


def _registry_fault(system: str):
    from chalicelib.adapters.registries import RegistryUnavailable

    kind = _choice(("unavailable", "timeout"))
    injected[f"registry:{system}:{kind}"] += 1
    if kind == "timeout":
        return TimeoutError(f"{system} did not answer in time (injected fault)")
    return RegistryUnavailable(f"{system} unavailable (injected fault)")


def _wrap(cls, method: str, system: str) -> None:
    original = getattr(cls, method)
    if getattr(original, "_faults", False):
        return

    @functools.wraps(original)
    def faulty(self, *args, **kwargs):
        if _roll():
            raise _registry_fault(system)
        return original(self, *args, **kwargs)

    faulty._faults = True
    setattr(cls, method, faulty)


def _install_registries() -> None:
    from chalicelib.adapters import civil_affairs, population, public_security

    for cls in (public_security.ReferencePublicSecurity, public_security.HttpPublicSecurity):
        _wrap(cls, "verify", "public_security")
    for cls in (civil_affairs.ReferenceCivilAffairs, civil_affairs.HttpCivilAffairs):
        _wrap(cls, "verify", "civil_affairs")
    for cls in (population.ReferencePopulationRegistry, population.HttpPopulationRegistry):
        _wrap(cls, "household", "population")
        _wrap(cls, "add_children", "population")


def install() -> None:
    """Put the switches in place (rate 0: nothing fails until ``set_rate``)."""
    global _installed
    if _installed:
        return
    _install_aws()
    _install_registries()
    _installed = True


def from_environment() -> float:
    """``BIRTHREG_FAULTS`` (a share, e.g. ``0.1``), applied by the local stack once it is up."""
    value = os.environ.get("BIRTHREG_FAULTS", "").strip()
    if value:
        set_rate(float(value))
    return rate()
