"""HTTP routes, grouped in blueprints. Routes parse the request, call one service, shape the response."""
