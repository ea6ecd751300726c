"""HTTP API of the birth-service registration platform (routes only; see chalicelib/api)."""

from chalice import Chalice

app = Chalice(app_name="birthreg-api")


@app.route("/v1/health")
def health():
    return {"status": "ok"}
