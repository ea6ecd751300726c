"""HTTP API of the birth-service registration platform: registers blueprints and middleware only."""

from chalice import Chalice

from chalicelib.api import appointments, births, citizen, console, health, http, openapi, regions, staff, verify

app = Chalice(app_name="birthreg-api")
http.install(app)
app.register_blueprint(health.bp)
app.register_blueprint(citizen.bp)
app.register_blueprint(verify.bp)
app.register_blueprint(staff.bp)
app.register_blueprint(console.bp)
app.register_blueprint(regions.bp)
app.register_blueprint(openapi.bp)
app.register_blueprint(births.bp)
app.register_blueprint(appointments.bp)
