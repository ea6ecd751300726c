"""Storage expressions belong to ``chalicelib/store`` (STYLE.md, issue 13 item 3): the services and the
routes speak in domain terms (``record_rating``, ``append_upload``, ``transition``) and never import
PynamoDB, build a condition or update expression, read a model's index, or recognise a DynamoDB
error code themselves. An AST walk over every module of ``chalicelib/services`` and ``chalicelib/api``."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

from tests import pysource

ROOT = Path(__file__).resolve().parents[3]
CHECKED = ("chalicelib/services", "chalicelib/api")
# Methods that build expressions on a model's attributes, or read a table through a model class.
EXPRESSION_METHODS = {"set", "remove", "add", "delete", "does_not_exist", "exists", "is_in", "between", "startswith", "contains", "append", "prepend"}
MODEL_READS = {"get", "query", "scan", "batch_get", "count", "batch_write"}
STORAGE_WORDS = ("ConditionalCheckFailed", "TransactWrite", "TransactionCanceled", "cause_response_code", "cancellation_reasons")


def _models() -> dict[str, set[str]]:
    """Every PynamoDB model of the store: its class name -> its attribute and index names."""
    from pynamodb.models import Model

    import chalicelib.store as store

    found: dict[str, set[str]] = {}
    for info in pkgutil.iter_modules(store.__path__):
        module = importlib.import_module(f"chalicelib.store.{info.name}")
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, Model) and obj.__module__ == module.__name__:
                found[name] = set(obj.get_attributes()) | set(obj._indexes)
                found[name] |= {n for n, v in vars(obj).items() if type(v).__name__.endswith("Index")}
    return found


def _files() -> list[Path]:
    return sorted(p for d in CHECKED for p in (ROOT / d).rglob("*.py"))


def _tail(node: ast.AST) -> str | None:
    """The last name of ``a.b.C`` / ``C``."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def violations(source: str, models: dict[str, set[str]]) -> list[str]:
    tree = pysource.parse(source)
    aliases: dict[str, str] = {}  # A = case_store.CaseAttachments
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _tail(node.value) in models:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    aliases[target.id] = _tail(node.value)  # type: ignore[assignment]
    found = []

    def model_of(node: ast.AST) -> str | None:
        name = _tail(node)
        if isinstance(node, ast.Name) and name in aliases:
            return aliases[name]
        return name if name in models else None

    for node in ast.walk(tree):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "pynamodb" for a in node.names):
            found.append(f"{where}: imports pynamodb")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pynamodb":
            found.append(f"{where}: imports from {node.module}")
        elif isinstance(node, ast.Attribute):
            model = model_of(node.value)
            if model and (node.attr in models[model] or node.attr in MODEL_READS):
                found.append(f"{where}: {model}.{node.attr} (an expression or a read through the model)")
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in ("actions", "condition", "range_key_condition", "filter_condition"):
                    found.append(f"{where}: a call with {keyword.arg}=")
        elif isinstance(node, (ast.Name, ast.Constant)):
            text = node.id if isinstance(node, ast.Name) else node.value
            if isinstance(text, str) and any(word in text for word in STORAGE_WORDS):
                found.append(f"{where}: {text[:40]!r} (recognising a storage error)")
    return found


@pytest.fixture(scope="module")
def models() -> dict[str, set[str]]:
    return _models()


def test_the_walk_knows_the_store_models(models):
    assert {"Case", "CaseAttachments", "Task", "CertificateRecord", "CodeItem", "OutboxMessage"} <= set(models)
    assert {"status", "phone_index", "rating"} <= models["Case"]


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_storage_expression_outside_the_store(path, models):
    assert violations(path.read_text(), models) == []


def test_the_walk_finds_what_the_services_used_to_do(models):
    """The forms removed from the services by this change, each recognised (the check is not vacuous)."""
    samples = {
        "from pynamodb.exceptions import UpdateError": "imports",
        "A = case_store.CaseAttachments\nA(x).update(actions=[A.rating.set(r)])": "CaseAttachments.rating",
        "keys = case_store.Case.phone_index.query(k)": "Case.phone_index",
        "C = case_store.Case\nc = C.modifications.does_not_exist()": "Case.modifications",
        "if exc.cause_response_code != 'ConditionalCheckFailedException': raise": "recognising",
        "Task.get('t')": "Task.get",
    }
    for source, expected in samples.items():
        found = violations(source, models)
        assert any(expected in f for f in found), (source, found)
    assert violations("case = case_store.Case('id', status=s)\ncase.status\nrating.set", models) == []
