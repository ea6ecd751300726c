"""CheckRecords: compare the case with the government registries (000 §2.3.5)."""

from __future__ import annotations

import json
from typing import Any

from chalicelib import config
from chalicelib.adapters.registries import RecordsRegistry, default_registry
from chalicelib.store import cases as case_store


def check_records(case_id: str, registry: RecordsRegistry | None = None) -> dict[str, Any]:
    case = case_store.get(case_id)
    result = (registry or default_registry()).check(case.form).to_dict()
    now = config.now().isoformat(timespec="seconds")
    case_store.transition(
        case,
        case_store.CHECKING,
        at=now,
        by="system",
        note="记录比对一致" if result["matched"] else "记录比对不一致，转人工审核",
        check_json=json.dumps(result, ensure_ascii=False),
    )
    return result
