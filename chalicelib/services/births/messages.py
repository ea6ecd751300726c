"""SMS to the parent who claimed the birth, through the outbox (at least once; the event id is
fixed by what happened, so a retried step stores and sends it once).

- the one notice of missing materials (003 三(三) "inform the one-time need to make up for the
  material"): once per record, like the notice itself;
- the e-licence issued or reissued (003 一(一)3): its number and where to download it, once per
  e-licence number.

The phone is the one verified with the SMS code at the claim, kept sealed with the claim.
"""

from __future__ import annotations

from chalicelib.domain import births as rules
from chalicelib.services.births import records
from chalicelib.services.shared import outbox
from chalicelib.store import births as store


def _send(item: store.BirthItem, text: str, *, event_id: str) -> bool:
    phone = item.claim_document().get("phone")
    if not phone:
        return False  # not claimed online: nobody to text
    stored = outbox.enqueue([outbox.sms(phone, text, event_id=event_id, subject=records.subject(item.birth_id))])
    outbox.deliver_now(stored)
    return bool(stored)


def materials_notice(item: store.BirthItem) -> bool:
    return _send(item, rules.NOTICE_SMS, event_id=f"sms:birth-notice:{item.birth_id}")


def issued(item: store.BirthItem) -> bool:
    number = item.certificate_number
    return bool(number) and _send(item, rules.issued_sms(number), event_id=f"sms:birth-issued:{number}")
