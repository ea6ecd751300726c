"""Parsing Python sources in tests that run while the local stack's threads are alive.

CPython 3.11 before 3.11.8 keeps the AST converter's recursion counter in interpreter-wide state
(python/cpython#106905): when another thread parses at the same moment -- in 3.11 every formatted
traceback parses its source line to place the ``^^^`` marks, and the local stack logs tracebacks
from its worker threads -- ``ast.parse`` may fail with ``SystemError: AST constructor recursion
depth mismatch``. The counter is reset at the start of every conversion, so parsing the same source
again is correct; any other error, and a mismatch that repeats, is raised.
"""

from __future__ import annotations

import ast

_ATTEMPTS = 5


def parse(source: str, filename: str = "<unknown>", *, parser=ast.parse) -> ast.Module:
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            return parser(source, filename)
        except SystemError as err:
            if "recursion depth mismatch" not in str(err) or attempt == _ATTEMPTS:
                raise
    raise AssertionError("unreachable")
