"""Test helpers for /api/v1: every response a test receives is checked against the OpenAPI document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from openapi_schema_validator import OAS31Validator, oas31_format_checker

from webui.api.openapi import openapi_document

BASE = "/api/v1"


def response_schema(path_template: str, method: str, status: int, media_type: str) -> dict:
    """The documented schema of one response; fails the test when the response is not documented."""
    operation = openapi_document()["paths"][path_template][method.lower()]
    documented = operation["responses"].get(str(status))
    assert documented is not None, f"{method} {path_template} → {status} is not documented"
    content = documented.get("content", {})
    assert media_type in content, f"{method} {path_template} → {status} {media_type} is not documented"
    return content[media_type]["schema"]


def assert_matches_openapi(response, path_template: str, method: str) -> Any:
    """Validate a response body against the document (components resolved); return the decoded body."""
    schema = response_schema(path_template, method, response.status_code, response.mimetype)
    if response.mimetype != "application/json":
        return response.data
    body = response.get_json()
    validator = OAS31Validator(schema | {"components": openapi_document()["components"]},
                               format_checker=oas31_format_checker)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, f"{method} {path_template}: " + "; ".join(
        f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return body


@dataclass
class Api:
    """A test client calling /api/v1 with one role's token; each call checks status and schema."""

    client: FlaskClient
    headers: dict

    def call(self, method: str, template: str, expect: int, *, query: dict | None = None, json: Any = None,
             data: Any = None, content_type: str | None = None, **path) -> Any:
        response = self.client.open(BASE + template.format(**path), method=method, headers=self.headers,
                                    query_string=query, json=json, data=data, content_type=content_type)
        assert response.status_code == expect, (response.status_code, response.get_data(as_text=True)[:1000])
        return assert_matches_openapi(response, template, method)

    def get(self, template: str, expect: int = 200, **kwargs) -> Any:
        return self.call("GET", template, expect, **kwargs)

    def post(self, template: str, expect: int = 200, **kwargs) -> Any:
        return self.call("POST", template, expect, **kwargs)
