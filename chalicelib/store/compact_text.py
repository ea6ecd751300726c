"""Case documents stored compressed (issue 18: a case write costs one write unit per KB).

A case carries three JSON documents -- the form, the evaluation at submission, the checks'
record -- about 2.4 KB of its 3.5 KB. DynamoDB bills a write by the whole item's size (an update
by the larger of before and after), so every transition of a case paid four write units, and a
transaction twice that. The documents are mostly the same keys, enumerations and messages from
case to case: compressed with raw DEFLATE against a preset dictionary of exactly those
(``DICTIONARY_V1``: the documents of a registration in each province with every personal value
left out, the checks' record of an instant and of a reviewed case, and the words addresses and
employers are made of), they take ~360 bytes instead of ~2.4 KB. The idempotency record of a
submission keeps its answer the same way (it repeats the evaluation: ``store/idempotency.py``).

A stored value is binary: one byte naming the format, then the compressed text.

- ``0x01``: raw DEFLATE (RFC 1951) with ``DICTIONARY_V1`` as the preset dictionary.

A value stored before as a string (DynamoDB type ``S``) still reads as it is, so cases written
by earlier versions need no migration; a document is stored compressed whenever it is written
again (an update writes only the attributes it changes).

**The dictionary never changes**: every stored case needs it to be read. A better dictionary
is a new format byte beside this one (``tests/unit/store/test_compact_text.py`` pins its
digest). What the code sees is unchanged: ``case.form_json`` is the same text, byte for byte.
"""

from __future__ import annotations

import zlib
from typing import Any

from pynamodb.attributes import Attribute
from pynamodb.constants import BINARY, STRING
from pynamodb.exceptions import AttributeDeserializationError

DEFLATE_V1 = 1
# The most frequent content last: DEFLATE codes near matches shorter.
DICTIONARY_V1 = (
    '四川省成都市贵州省贵阳市重庆市渝中区街道社区路号栋单元室有限公司医院'
    '{"matched": false, "mismatches": [{"code": "REGISTRY_FORM_HAS_LESS", "path": "children", "message": "登记表信息比系统记录少，转人工核实"}], "route": "review", "identity": {"status": "match", "people": [{"role": "woman", "status": "match"}, {"role": "man", "status": "match"}]}, "marriage": {"status": "match", "detail": ""}, "population": {"outcome": "form_has_less", "only_in_form": [], "only_in_registry": [0], "differences": [], "decision": {"issue": false, "update_registry": false, "reason": "FORM_HAS_LESS", "message": "登记表信息比系统记录少，转人工核实", "citation": "002 五(三)"}}, "rules": {"ok": true, "reasons": []}, "checked_at": ""}'
    '{"matched": true, "mismatches": [], "route": "issue", "identity": {"status": "match", "people": [{"role": "woman", "status": "match"}, {"role": "man", "status": "match"}]}, "marriage": {"status": "match", "detail": ""}, "population": {"outcome": "consistent", "only_in_form": [], "only_in_registry": [], "differences": [], "decision": {"issue": true, "update_registry": false, "reason": "CONSISTENT", "message": "与人口信息系统记录比对一致", "citation": "002 五(三)"}}, "rules": {"ok": true, "reasons": []}, "checked_at": ""}'
    '{"profile": "chongqing", "eligible": true, "registrable_online": true, "reasons": [{"code": "HUKOU_IN_PROVINCE", "message": "女方、男方户籍在重庆市", "citation": "002 一(一)"}], "jurisdiction": {"office_code": "", "office_name": "", "rule": "002 四; 002 七(一)", "basis": "woman.hukou", "reason": null, "undecidable": false}, "child_order": {"registration_order": 2, "registration_label": "二孩", "upbringing_order": 2, "upbringing_label": "二孩", "rebirth": false, "subject_listed": false, "citation": "002 二(一)(二); 002 附件1 说明"}, "onsite_required": false, "onsite_reasons": [], "proofs_required": []}'
    '{"profile": "guizhou", "eligible": true, "registrable_online": true, "reasons": [{"code": "TIE_TO_PROVINCE", "message": "女方户籍地、女方现居住地、男方户籍地、男方现居住地在贵州省内", "citation": "001 附件1 一、四"}], "jurisdiction": {"office_code": "", "office_name": "", "rule": "001 附件1 一", "basis": null, "reason": null, "undecidable": false}, "child_order": {"registration_order": 2, "registration_label": "二孩", "upbringing_order": 2, "upbringing_label": "二孩", "rebirth": false, "subject_listed": false, "citation": "002 二(一)(二); 002 附件1 说明"}, "onsite_required": false, "onsite_reasons": [], "proofs_required": []}'
    '{"profile": "sichuan", "eligible": true, "registrable_online": true, "reasons": [{"code": "HUKOU_IN_PROVINCE", "message": "女方、男方户籍在四川省内", "citation": "000 注 1"}], "jurisdiction": {"office_code": "", "office_name": "", "rule": "000 注 1", "basis": "woman.hukou", "reason": null, "undecidable": false}, "child_order": {"registration_order": 2, "registration_label": "二孩", "upbringing_order": 2, "upbringing_label": "二孩", "rebirth": false, "subject_listed": false, "citation": "002 二(一)(二); 002 附件1 说明"}, "onsite_required": false, "onsite_reasons": [], "proofs_required": []}'
    '{"profile":"chongqing","application":{"type":"self","rebirth_reason":null,"office_code":"","commitment_accepted":true,"commitment_at":""},"woman":{"name":"","id_number":"","phone":"","employer":"","marital_status":"first_marriage","hukou":{"region_code":"","detail":"","since":""},"residence":{"region_code":"","detail":"","since":""}},"man":{"name":"","id_number":"","phone":"","employer":null,"marital_status":"first_marriage","hukou":{"region_code":"","detail":"","since":""},"residence":{"region_code":"","detail":"","since":""}},"marriage":{"date":"","certificate_number":""},"children":[{"name":"","id_number":"","birth_date":"","sex":"female","birthplace_code":"","relation":"joint","health":"healthy","disability_certificate":null}],"pregnancy":{"status":"pregnant","weeks":12,"birth_date":null},"proxy":null}'
    '{"profile":"guizhou","application":{"type":"self","rebirth_reason":null,"office_code":"","commitment_accepted":true,"commitment_at":""},"woman":{"name":"","id_number":"","phone":"","employer":"","marital_status":"first_marriage","hukou":{"region_code":"","detail":"","since":""},"residence":{"region_code":"","detail":"","since":""}},"man":{"name":"","id_number":"","phone":"","employer":null,"marital_status":"first_marriage","hukou":{"region_code":"","detail":"","since":""},"residence":{"region_code":"","detail":"","since":""}},"marriage":{"date":"","certificate_number":""},"children":[{"name":"","id_number":"","birth_date":"","sex":"female","birthplace_code":"","relation":"joint","health":"healthy","disability_certificate":null}],"pregnancy":{"status":"pregnant","weeks":12,"birth_date":null},"proxy":null}'
    '{"profile":"sichuan","application":{"type":"self","rebirth_reason":null,"office_code":"","commitment_accepted":true,"commitment_at":""},"woman":{"name":"","id_number":"","phone":"","employer":"","marital_status":"first_marriage","hukou":{"region_code":"","detail":"","since":""},"residence":{"region_code":"","detail":"","since":""}},"man":{"name":"","id_number":"","phone":"","employer":null,"marital_status":"first_marriage","hukou":{"region_code":"","detail":"","since":""},"residence":{"region_code":"","detail":"","since":""}},"marriage":{"date":"","certificate_number":""},"children":[{"name":"","id_number":"","birth_date":"","sex":"female","birthplace_code":"","relation":"joint","health":"healthy","disability_certificate":null}],"pregnancy":{"status":"pregnant","weeks":12,"birth_date":null},"proxy":null}'
).encode()


class UnknownFormat(ValueError):
    """A stored value whose format byte this version does not know (written by a newer one)."""


def compress(text: str) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, zdict=DICTIONARY_V1)
    return bytes([DEFLATE_V1]) + packer.compress(text.encode("utf-8")) + packer.flush()


def decompress(data: bytes) -> str:
    if not data or data[0] != DEFLATE_V1:
        raise UnknownFormat(f"unknown compressed text format {data[:1]!r}")
    unpacker = zlib.decompressobj(-15, zdict=DICTIONARY_V1)
    text = unpacker.decompress(data[1:]) + unpacker.flush()
    if not unpacker.eof:
        raise ValueError("compressed text is truncated")
    return text.decode("utf-8")


class CompactText(Attribute[str]):
    """A text attribute stored compressed (binary); one stored as a string before reads as it is."""

    attr_type = BINARY

    def serialize(self, value: str) -> bytes:
        return compress(value)

    def get_value(self, value: dict[str, Any]) -> Any:
        if BINARY in value:
            return value[BINARY]
        if STRING in value:
            return value[STRING]
        raise AttributeDeserializationError(self.attr_name, self.attr_type)

    def deserialize(self, value: bytes | str) -> str:
        return value if isinstance(value, str) else decompress(bytes(value))
