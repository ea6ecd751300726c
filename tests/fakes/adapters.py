"""Recording fakes of the adapters the services call (and of the SSM operations parameters),
installed together by ``installed``.

Each replaces one adapter function with the same signature (the services call the adapter
modules' functions, e.g. ``workflow.start_registration``), records every call and can be told to
fail, so a service test sees what would have left the system: SMS texts, events, executions
started, task tokens answered, PDFs stored. Installed with pytest's ``monkeypatch`` in this one
place, undone after the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeSms:
    sent: list[tuple[str, str, str | None]] = field(default_factory=list)
    fail: int = 0  # how many of the next sends fail

    def send(self, phone: str, text: str, ref: str | None = None) -> str:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("SMS gateway down")
        self.sent.append((phone, text, ref))
        return f"sms-{len(self.sent)}"


@dataclass
class FakeAdapters:
    sms: FakeSms = field(default_factory=FakeSms)
    events: list[dict[str, Any]] = field(default_factory=list)
    executions: list[tuple[str, str]] = field(default_factory=list)
    answered: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    gone_tokens: set[str] = field(default_factory=set)
    documents: dict[str, bytes] = field(default_factory=dict)
    parameters: dict[str, str] = field(default_factory=dict)  # operations parameters by their env name

    # -- config.parameter (SSM)
    def parameter(self, env: str) -> str:
        return self.parameters[env]

    # -- adapters/events.py
    def publish(self, topic_arn: str, subject: str, message: dict[str, Any], *, event_type: str, attributes: dict[str, str] | None = None) -> str:
        self.events.append({"topic": topic_arn, "subject": subject, "message": message, "event_type": event_type, "attributes": attributes})
        return f"event-{len(self.events)}"

    # -- adapters/workflow.py
    def start_registration(self, case_id: str, execution_name: str | None = None) -> str:
        from chalicelib.adapters import workflow

        name = execution_name or case_id
        if any(n == name for _, n in self.executions):
            raise workflow.ExecutionAlreadyStarted(case_id)
        self.executions.append((case_id, name))
        return f"arn:aws:states:::execution:registration:{name}"

    def send_task_success(self, token: str, output: dict[str, Any]) -> None:
        from chalicelib.adapters import workflow

        if token in self.gone_tokens:
            raise workflow.TaskGone("TaskTimedOut")
        self.answered.append((token, output))

    # -- adapters/storage.py
    def put_pdf(self, key: str, body: bytes) -> None:
        self.documents[key] = body

    def get_pdf(self, key: str) -> bytes:
        return self.documents[key]

    def presigned_url(self, key: str, filename: str) -> str:
        return f"https://documents.test/{key}?filename={filename}"


def installed(monkeypatch) -> FakeAdapters:
    """Replace the adapters' functions with one ``FakeAdapters`` (certificates are signed with a
    local P-256 key instead of KMS)."""
    from chalicelib import config
    from chalicelib.adapters import events, signing, sms, storage, workflow
    from infra.resources import PARAMETERS

    fake = FakeAdapters(parameters={p.env: p.local_initial if p.local_initial is not None else p.initial for p in PARAMETERS})
    monkeypatch.setattr(config, "parameter", fake.parameter)
    # Names the stack gives the units that publish or start (only used as labels by the fakes).
    for name in ("STAFF_TOPIC_ARN", "EVENTS_TOPIC_ARN", "ALERTS_TOPIC_ARN", "REGISTRATION_STATE_MACHINE_ARN"):
        monkeypatch.setenv(name, f"arn:aws:fake:::{name.lower()}")
    monkeypatch.setattr(sms, "default_sender", lambda: fake.sms)
    monkeypatch.setattr(events, "publish", fake.publish)
    monkeypatch.setattr(workflow, "start_registration", fake.start_registration)
    monkeypatch.setattr(workflow, "send_task_success", fake.send_task_success)
    for name in ("put_pdf", "get_pdf", "presigned_url"):
        monkeypatch.setattr(storage, name, getattr(fake, name))
    signer = signing.LocalSigner()
    real_sign = signing.sign
    monkeypatch.setattr(signing, "sign", lambda claims, s=None: real_sign(claims, s or signer))
    fake.signer = signer  # type: ignore[attr-defined]
    return fake
