"""The OpenAPI document: valid 3.1, served without a token, and describing every route of the blueprint."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from tests.webui.api_contract import BASE, assert_matches_openapi
from webui.api.openapi import openapi_document

ERROR_STATUSES = ("401", "403", "404", "409", "415", "422")


def test_document_is_valid_openapi_3_1():
    document = openapi_document()
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "ink_…",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"]}


def test_served_without_a_token(client):
    response = client.get(BASE + "/openapi.json")
    assert response.status_code == 200
    assert assert_matches_openapi(response, "/openapi.json", "GET") == openapi_document()


def test_every_route_is_documented(app):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix(BASE))
            routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path, method) for path, item in openapi_document()["paths"].items() for method in item}
    assert routes == documented


def test_errors_and_bodies_are_described():
    paths = openapi_document()["paths"]
    statuses = {status for item in paths.values() for op in item.values() for status in op["responses"]}
    assert set(ERROR_STATUSES) <= statuses
    for path, item in paths.items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error"}, (path, method, status)
            if method == "post" and path in ("/instances", "/tasks/{task_id}/complete", "/blobs"):
                assert operation["requestBody"]["required"] is True
    error = openapi_document()["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "message"] and "errors" in error["properties"]
