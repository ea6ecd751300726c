"""Reading the QR codes of a rendered page in tests.

zbar looks for every symbology it knows unless told otherwise, and may read a linear barcode (an
interleaved 2 of 5, a DataBar) into a page's ruled lines and text; it may also report one QR code
twice. Only QR codes are asked for, and each distinct text is given once: a certificate carries
exactly one QR code, so two different texts are still two codes and fail the caller's check.
"""

from __future__ import annotations

import pytest


def decode_qr(image) -> list[str]:
    """The texts of the QR codes in a PIL ``image``."""
    try:
        from pyzbar.pyzbar import ZBarSymbol, decode
    except (ImportError, OSError) as exc:  # OSError: pyzbar present but libzbar0 missing
        pytest.fail(f"QR decoding needs pyzbar==0.1.9 (pip) and libzbar0 (apt-get): {exc}")
    return list(dict.fromkeys(symbol.data.decode("utf-8") for symbol in decode(image, symbols=[ZBarSymbol.QRCODE])))
