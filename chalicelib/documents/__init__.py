"""Printable documents (certificate PDFs).

Nothing is re-exported here on purpose: the renderers import reportlab and qrcode lazily,
and the HTTP API must be able to import `chalicelib` without paying for them (STYLE.md).
"""
