"""Citizen use cases: precheck and submit a registration, query a case, modify or supplement it
once, upload requested proofs, rate the service. Entered from the citizen routes of the API."""
