"""The OpenAPI schema: generated without warnings, every endpoint documented, secrets write-only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.test import APIClient

import accounts.serializers
import cameras.ptz_api
import cameras.serializers
import recordings.motion_api
import recordings.notification_serializers
import recordings.serializers

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
                     "holds", "exports"}
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


def test_every_paginated_list_documents_its_page_errors(schema: dict[str, Any]) -> None:
    """A malformed page answers 400 and a page past the end 404; neither was documented."""
    lists = [(path, operation) for path, method, operation in operations(schema)
             if method == "get" and any(p["name"] == "page" for p in operation.get("parameters", []))]  # fmt: skip

    assert len(lists) >= 11
    for path, operation in lists:
        page = next(p for p in operation["parameters"] if p["name"] == "page")
        assert page["schema"] == {"type": "integer", "minimum": 1}, path
        assert {"400", "404"} <= set(operation["responses"]), path


def test_every_integer_id_parameter_documents_its_range(schema: dict[str, Any]) -> None:
    parameters = [parameter for _, _, operation in operations(schema) for parameter in operation.get("parameters", [])]
    ids = [(parameter["name"], parameter) for parameter in parameters if parameter["in"] == "query"
           and parameter["schema"].get("type") == "integer" and parameter["name"] != "page"]

    assert {parameter["name"] for _, parameter in ids} == {"organization", "actor"}
    assert all(parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1} for _, parameter in ids)


def _model_serializers() -> list[type[serializers.ModelSerializer]]:
    modules = [accounts.serializers, cameras.serializers, cameras.ptz_api, recordings.serializers,
               recordings.notification_serializers, recordings.motion_api]  # fmt: skip
    found = [(module, cls) for module in modules for cls in vars(module).values() if isinstance(cls, type)]
    return [cls for module, cls in found
            if issubclass(cls, serializers.ModelSerializer) and cls.__module__ == module.__name__]


def _nullable_model_fields(serializer_class: type[serializers.ModelSerializer]) -> list[str]:
    """Names of the readable fields whose model column can hold NULL."""
    model, names = serializer_class.Meta.model, []
    columns = {field.attname: field for field in model._meta.concrete_fields} | {
        field.name: field for field in model._meta.concrete_fields}  # fmt: skip
    for name, field in serializer_class().fields.items():
        column = columns.get(field.source)
        if not field.write_only and column is not None and column.null:
            names.append(name)
    return names


def test_every_field_that_can_be_null_is_documented_nullable(schema: dict[str, Any]) -> None:
    """NotificationDelivery.event, rule and webhook (and created_by of tokens and webhooks) came back null
    while the schema said they never were."""
    components = schema["components"]["schemas"]
    checked = {}
    for serializer_class in _model_serializers():
        properties = components[serializer_class.__name__.removesuffix("Serializer")]["properties"]
        checked.update({f"{serializer_class.__name__}.{name}": properties[name].get("nullable", False)
                        for name in _nullable_model_fields(serializer_class)})  # fmt: skip

    assert {"NotificationDeliverySerializer.event", "APITokenSerializer.created_by"} <= set(checked)
    assert [name for name, nullable in checked.items() if not nullable] == []
