"""Staff console routes: organisation information and paper-certificate stock.

| route | who | answer |
| --- | --- | --- |
| ``GET /v1/offices/{office_code}`` | anyone | the office's name, head, contact, phone, address, hours |
| ``PUT /v1/staff/offices/{office_code}`` | the office's own admin | the information replaced (audited) |
| ``GET /v1/staff/paper-stock/{office_code}`` | county/township staff with ``paper_certificates`` | balances, ranges, shipments, requests, movements |
| ``POST …/intake`` | the county | a printed range into its stock |
| ``POST …/distributions`` | the county | a range to one of its townships (409 more than held) |
| ``POST …/shipments/{shipment_id}/receipt`` | the township | receipt acknowledged |
| ``POST …/write-offs`` | the township | a spoiled blank written off with a reason |
| ``PUT …/threshold`` | the township | the threshold of one kind |
| ``POST …/requests`` | the township | 申请调配 below the threshold |

Services are imported when a route first runs (see api/citizen.py).
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import request_body, route

bp = Blueprint(__name__)
STAFF = ("staff",)
STOCK = "/v1/staff/paper-stock/{office_code}"


def _staff(*roles: str):
    from chalicelib.auth import current_staff

    return current_staff(bp, *roles)


def _no_store(body, status: int = 200) -> Response:
    return Response(body=body, status_code=status, headers={"Cache-Control": "no-store"})


# -- organisations (001 一(二)2) ---------------------------------------------------------------------
@route(bp, "/v1/offices/{office_code}", methods=["GET"])
def office(office_code: str):
    """An office's organisation information (public: citizens see where to go)."""
    from chalicelib.services.staff import organisations

    return Response(body=organisations.view(office_code), status_code=200, headers={"Cache-Control": "public, max-age=300"})


@route(bp, "/v1/staff/offices/{office_code}", methods=["PUT"], body="OfficeInfo", security=STAFF)
def update_office(office_code: str):
    """Replace an office's organisation information (its own administrator)."""
    from chalicelib.auth import ADMIN
    from chalicelib.services.staff import organisations

    return _no_store(organisations.update(_staff(ADMIN), office_code, request_body(bp)))


# -- paper-certificate stock (001 三(一)3–4, 三(二)2) ------------------------------------------------
@route(bp, STOCK, methods=["GET"], security=STAFF)
def paper_stock(office_code: str):
    """An office's stock of blank paper certificates."""
    from chalicelib.services.certificates import paper_stock as stock

    return _no_store(stock.view(_staff(), office_code))


@route(bp, STOCK + "/intake", methods=["POST"], body="PaperStockRange", status=201, security=STAFF, statuses=(409,))
def paper_stock_intake(office_code: str):
    """A printed range enters the county's stock."""
    from chalicelib.services.certificates import paper_stock as stock

    return _no_store(stock.take_in(_staff(), office_code, request_body(bp)), 201)


@route(bp, STOCK + "/distributions", methods=["POST"], body="PaperDistribution", status=201, security=STAFF, statuses=(409,))
def paper_stock_distribution(office_code: str):
    """The county sends a range of its stock to a township."""
    from chalicelib.services.certificates import paper_stock as stock

    return _no_store(stock.distribute(_staff(), office_code, request_body(bp)), 201)


@route(bp, STOCK + "/shipments/{shipment_id}/receipt", methods=["POST"], body="NoBody", body_optional=True, security=STAFF, statuses=(409,))
def paper_stock_receipt(office_code: str, shipment_id: str):
    """The township acknowledges a shipment."""
    from chalicelib.services.certificates import paper_stock as stock

    principal = _staff()
    request_body(bp)
    return _no_store(stock.receive(principal, office_code, shipment_id))


@route(bp, STOCK + "/write-offs", methods=["POST"], body="PaperWriteOff", status=201, security=STAFF, statuses=(409,))
def paper_stock_write_off(office_code: str):
    """A spoiled blank is written off with its reason."""
    from chalicelib.services.certificates import paper_stock as stock

    return _no_store(stock.write_off(_staff(), office_code, request_body(bp)), 201)


@route(bp, STOCK + "/threshold", methods=["PUT"], body="PaperThreshold", security=STAFF)
def paper_stock_threshold(office_code: str):
    """The township's threshold of one kind of blank."""
    from chalicelib.services.certificates import paper_stock as stock

    return _no_store(stock.set_threshold(_staff(), office_code, request_body(bp)))


@route(bp, STOCK + "/requests", methods=["POST"], body="PaperRequest", status=201, security=STAFF, statuses=(409,))
def paper_stock_request(office_code: str):
    """申请调配: the township asks its county for blanks."""
    from chalicelib.services.certificates import paper_stock as stock

    return _no_store(stock.request_allocation(_staff(), office_code, request_body(bp)), 201)
