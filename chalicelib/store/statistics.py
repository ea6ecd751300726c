"""The Statistics table: counters per administrative region and year (001 三(一)4, 三(二)1 统计监测).

One item per ``(pk=<region code>, sk=<year>)``: a township office ``510104022``, its county
``510104``, city ``5101`` and province ``51`` each get the same increments, so the figures of
any level are one GetItem and a level's children one BatchGetItem — never a Scan of the cases.
Counter names are flat attribute names such as ``received|online`` or ``stage|initial_review|escalated``.

Counters are advanced by the workflow steps and by staff decisions (``services/statistics.py``).
A step retried after a timeout may count twice; the audit log and the cases stay the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib import config


def _key(region: str, year: str) -> dict[str, Any]:
    return {"pk": {"S": region}, "sk": {"S": year}}


def add(regions: Iterable[str], year: str, counters: dict[str, int]) -> None:
    if not counters:
        return
    names = {f"#c{i}": name for i, name in enumerate(counters)}
    values = {f":v{i}": {"N": str(int(v))} for i, v in enumerate(counters.values())}
    expression = "ADD " + ", ".join(f"#c{i} :v{i}" for i in range(len(counters)))
    client = config.client("dynamodb")
    for region in dict.fromkeys(regions):
        client.update_item(
            TableName=config.statistics_table(),
            Key=_key(region, year),
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )


def _counters(item: dict[str, Any]) -> dict[str, int]:
    return {k: int(v["N"]) for k, v in item.items() if k not in ("pk", "sk") and "N" in v}


def get(region: str, year: str) -> dict[str, int]:
    item = config.client("dynamodb").get_item(TableName=config.statistics_table(), Key=_key(region, year)).get("Item")
    return _counters(item or {})


def get_many(regions: list[str], year: str) -> dict[str, dict[str, int]]:
    """Counters of many regions for one year (BatchGetItem, 100 keys per request)."""
    client = config.client("dynamodb")
    table = config.statistics_table()
    out: dict[str, dict[str, int]] = {}
    for start in range(0, len(regions), 100):
        request: dict[str, Any] = {table: {"Keys": [_key(r, year) for r in regions[start : start + 100]]}}
        while request:
            response = client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(table, []):
                out[item["pk"]["S"]] = _counters(item)
            request = response.get("UnprocessedKeys") or {}
    return out
