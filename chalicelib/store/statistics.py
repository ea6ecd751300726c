"""The Statistics table: counters per administrative region and year (001 三(一)4, 三(二)1 统计监测).

One item per ``(pk=<region code>, sk=<year>)`` for townships and counties only: a township office
``510104022`` and its county ``510104`` get the same increments (``hierarchy.counted_levels``). A
city or province is the sum of its counties, which the service reads with ``get_many`` (BatchGetItem,
100 keys a request: a province's ~200 counties in 2–3) — never a Scan of the cases. City (``5101``)
and province (``51``) items written by earlier versions are no longer read or written: the county
items hold every event already.

Counter names are flat attribute names such as ``received|online`` or ``stage|initial_review|escalated``.

Counters are advanced by the workflow steps and by staff decisions (``services/shared/statistics.py``).
Each increment names its event (``once``, e.g. ``<case id>#received``): one transaction writes a
marker item ``(pk="EVENT#<event>", sk="-")`` on the condition that it does not exist, together
with the counters of the township and county items. A step retried after a timeout (at-least-once
delivery) finds the marker and counts nothing: each event is counted exactly once. Two events
counted together (an instant case's receipt and completion) write two markers in the one
transaction; ``counted`` tells whether an event's marker is there.

Ratings (好差评) also keep their latest comments per office: ``(pk="COMMENTS#<office>",
sk="<at>#<case id>")``, read newest first with one Query of one page (``comments``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from chalicelib import config
from chalicelib.store.conditions import transacted

# The repository interface (store/repositories.py): what reads or writes the table; the fake in
# store/memory.py implements exactly these, with the same signatures.
OPERATIONS = ("add", "counted", "add_comment", "comments", "get", "get_many")


def _key(region: str, year: str) -> dict[str, Any]:
    return {"pk": {"S": region}, "sk": {"S": year}}


def add(regions: Iterable[str], year: str, counters: dict[str, int], *, once: str | tuple[str, ...]) -> bool:
    """Add ``counters`` to every region's item, all or nothing, unless an event of ``once`` (one
    name, or several counted together) was counted already (then nothing changes: False)."""
    if not counters:
        return False
    names = {f"#c{i}": name for i, name in enumerate(counters)}
    values = {f":v{i}": {"N": str(int(v))} for i, v in enumerate(counters.values())}
    expression = "ADD " + ", ".join(f"#c{i} :v{i}" for i in range(len(counters)))
    table = config.statistics_table()
    counted_at = config.now().isoformat(timespec="seconds")
    items: list[dict[str, Any]] = [
        {
            "Put": {
                "TableName": table,
                "Item": {**_key(f"EVENT#{event}", "-"), "counted_at": {"S": counted_at}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        for event in ((once,) if isinstance(once, str) else dict.fromkeys(once))
    ]
    for region in dict.fromkeys(regions):
        items.append(
            {
                "Update": {
                    "TableName": table,
                    "Key": _key(region, year),
                    "UpdateExpression": expression,
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            }
        )
    # Only the markers have a condition: a failed one means counted before (a retried step).
    return transacted(lambda: config.client("dynamodb").transact_write_items(TransactItems=items)) is None


def counted(once: str) -> bool:
    """Whether event ``once`` was counted (its marker, read consistently)."""
    item = config.client("dynamodb").get_item(
        TableName=config.statistics_table(), Key=_key(f"EVENT#{once}", "-"), ConsistentRead=True, ProjectionExpression="pk"
    )
    return "Item" in item


def add_comment(office_code: str, at: str, case_id: str, comment: dict[str, Any]) -> None:
    """Keep a rating's comment for the office's statistics page (idempotent: one item per case)."""
    config.client("dynamodb").put_item(
        TableName=config.statistics_table(),
        Item={**_key(f"COMMENTS#{office_code}", f"{at}#{case_id}"), "comment": {"S": json.dumps(comment, ensure_ascii=False)}},
    )


def comments(office_code: str, limit: int) -> list[dict[str, Any]]:
    """The office's latest ``limit`` rating comments, newest first (one Query, one page)."""
    response = config.client("dynamodb").query(
        TableName=config.statistics_table(),
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"COMMENTS#{office_code}"}},
        ScanIndexForward=False,
        Limit=limit,
    )
    return [json.loads(item["comment"]["S"]) for item in response.get("Items", [])]


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
