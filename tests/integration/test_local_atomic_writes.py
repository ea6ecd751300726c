"""The local stack's DynamoDB transactions (local/atomic_writes.py): all or nothing, as in DynamoDB,
with a backup of the items a transaction names instead of a copy of every table it touches."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from local import atomic_writes


@pytest.fixture
def table(monkeypatch):
    from moto.dynamodb.models.table import Table

    atomic_writes.install()

    def no_table_copies(self, memo):
        raise AssertionError("a whole table was copied")

    monkeypatch.setattr(Table, "__deepcopy__", no_table_copies, raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for i in range(50):
            client.put_item(TableName="t", Item={"pk": {"S": f"p{i}"}, "sk": {"S": "x"}, "v": {"N": "1"}})
        yield client


def _key(pk: str) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": "x"}}


def _update(pk: str, value: str) -> dict:
    return {
        "Update": {
            "TableName": "t",
            "Key": _key(pk),
            "UpdateExpression": "SET v = :v",
            "ExpressionAttributeValues": {":v": {"N": value}},
        }
    }


def _update_put_delete_if_exists(checked: str) -> list[dict]:
    """Update p1, put "new", delete p2 -- if the item ``checked`` exists."""
    return [
        _update("p1", "2"),
        {"Put": {"TableName": "t", "Item": {**_key("new"), "v": {"N": "9"}}}},
        {"Delete": {"TableName": "t", "Key": _key("p2")}},
        {"ConditionCheck": {"TableName": "t", "Key": _key(checked), "ConditionExpression": "attribute_exists(pk)"}},
    ]


def _values(client) -> dict[str, str]:
    items = client.scan(TableName="t")["Items"]
    return {i["pk"]["S"]: i["v"]["N"] for i in items}


def test_a_cancelled_transaction_leaves_every_item_as_it_was(table):
    before = _values(table)
    with pytest.raises(ClientError) as caught:
        table.transact_write_items(TransactItems=_update_put_delete_if_exists("absent"))
    assert caught.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert _values(table) == before


def test_a_transaction_that_passes_writes_every_item(table):
    table.transact_write_items(TransactItems=_update_put_delete_if_exists("p3"))
    values = _values(table)
    assert values["p1"] == "2" and values["new"] == "9" and "p2" not in values and len(values) == 50


def test_a_transaction_naming_one_item_twice_is_refused_and_changes_nothing(table):
    before = _values(table)
    with pytest.raises(ClientError) as caught:
        table.transact_write_items(TransactItems=[_update("p1", "2"), _update("p1", "3")])
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert _values(table) == before
