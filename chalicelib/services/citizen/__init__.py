"""Citizen use cases: precheck and submit a registration, query a case, modify or supplement it
once, upload requested proofs, rate the service. Entered from the citizen routes of the API.

Inside, top to bottom (``.importlinter``): ``query`` (办件查询) and ``view`` (what a citizen sees of
a case, with what may be done next) above the actions on a case — ``modification``, ``ratings``,
``uploads``, independent of each other — above ``registration`` (a modification is validated like
a new registration) above ``access`` (which case a query code or a query token opens).
"""
