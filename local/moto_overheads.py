"""Per-request work of the moto server whose answer never changes, computed once (issue 18: local
CPU per registration).

- ``moto.backends.list_of_moto_modules`` lists moto's package directory (``os.listdir`` and an
  ``isdir`` per service, ~1.7 ms) to match a request's host, on every request and under the
  dispatcher's global lock: the directory does not change while the server runs.
- ``moto.core.responses.method_names_from_class`` runs ``inspect.getmembers`` over the response
  class on every request to find the action's method: a class's methods do not change either.
- Every Step Functions execution parses its definition again with moto's ANTLR parser (pure
  Python, ~13 % of the local stack's CPU per registration, profiled). The parsed program is kept
  per definition text: its components hold no evaluation state (moto keeps that in each
  execution's ``Environment``, e.g. retry attempts in ``env.heap``; the components assign to
  ``self`` only in ``__init__``, checked over moto 5.2.5's ``asl/component`` tree), so executions
  can share it, as they share the definition.

Only the local stack uses them; moto's answers are the same (tests/e2e run through them).
"""

from __future__ import annotations

import functools

_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    from moto import backends
    from moto.core import responses
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    modules = frozenset(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules  # used as ``host in list_of_moto_modules()``
    method_names = functools.cache(responses.method_names_from_class)
    responses.method_names_from_class = lambda clazz: list(method_names(clazz))
    parsed = functools.lru_cache(maxsize=16)(lambda definition: AmazonStateLanguageParser.parse(definition)[0])
    ExecutionWorker._get_evaluation_entrypoint = lambda self: parsed(self._evaluation_details.state_machine_details.definition)
    _installed = True
