"""The OpenAPI schema: generated without warnings, every endpoint documented, secrets write-only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS and path.startswith("/api/v1/")
    ]


def test_schema_generates_and_validates_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert "/api/v1/cameras/{id}/" in target.read_text()


def test_every_api_operation_is_described_tagged_and_lists_its_errors(schema: dict[str, Any]) -> None:
    ops = operations(schema)
    kinds = {path.split("/")[3] for path, _, _ in ops}

    assert kinds == {"organizations", "sites", "cameras", "members", "invitations", "tokens", "audit-events",
                     "clips", "motion-events", "webhooks", "notification-rules", "notification-deliveries",
                     "holds"}
    for path, method, operation in ops:
        where = f"{method.upper()} {path}"
        assert operation.get("description") and operation.get("summary") and operation.get("tags"), where
        assert {"401", "403"} <= set(operation["responses"]), where
        if "{id}" in path:
            assert "404" in operation["responses"], where
        if method in ("post", "put", "patch") and not path.endswith("/revoke/"):
            assert "400" in operation["responses"], where


def test_adding_a_member_is_documented_as_an_invitation(schema: dict[str, Any]) -> None:
    create = schema["paths"]["/api/v1/members/"]["post"]

    assert set(create["responses"]) >= {"202", "400"} and "201" not in create["responses"]
    assert create["responses"]["202"]["content"]["application/json"]["schema"]["$ref"].endswith("/Invitation")
    assert "invitation" in create["description"].lower()


def test_token_authentication_scheme_is_documented(schema: dict[str, Any]) -> None:
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]

    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert "Token <key>" in scheme["description"]
    assert all({"tokenAuth": []} in operation["security"] for _, _, operation in operations(schema))


def test_camera_secrets_are_write_only_in_the_schema(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    secrets = {"main_source", "sub_source", "onvif_username", "onvif_password"}

    assert secrets <= set(components["CameraRequest"]["properties"])
    assert not secrets & set(components["Camera"]["properties"])
    assert "key" in components["APITokenCreated"]["properties"]
    assert "key" not in components["APIToken"]["properties"]


def test_schema_and_swagger_ui_are_served(db: None) -> None:
    client = APIClient()

    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200 and b"CCTV Portal API" in schema.content
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
