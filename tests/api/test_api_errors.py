"""API errors are JSON with a readable ``detail``, never a 500."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.db import IntegrityError
from django_filters.fields import RangeField
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from portal.api import FIELDS_SUMMARY, exception_handler, field_errors
from portal.api_base import DATETIME_RANGE_MESSAGE, MAX_ID
from portal.api_urls import router
from tests.api.conftest import API, rows, tenant_state
from tests.conftest import World


@pytest.mark.parametrize(
    "path",
    ["cameras/not-a-uuid/", "cameras/123/", "cameras/a.b/", "sites/zzz/", "members/abc/", "tokens/1e9/",
     "audit-events/x/", "organizations/-1/", "cameras/00000000-0000-0000-0000-000000000000/"],
)  # fmt: skip
def test_malformed_or_unknown_ids_are_a_json_404(path: str, world: World, admin_api: APIClient) -> None:
    response = admin_api.get(f"{API}/{path}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_malformed_id_on_write_is_a_404_and_changes_nothing(world: World, admin_api: APIClient) -> None:
    before = tenant_state()

    responses = [admin_api.patch(f"{API}/cameras/nope/", {"name": "X"}), admin_api.delete(f"{API}/sites/nope/")]

    assert [response.status_code for response in responses] == [404, 404]
    assert tenant_state() == before


def test_field_errors_come_with_a_summary(world: World, admin_api: APIClient) -> None:
    response = admin_api.post(f"{API}/cameras/", {"name": ""}, format="json")

    body = response.json()
    assert response.status_code == 400
    assert body["detail"] == "Some fields are not valid; see the field messages."
    assert set(body) == {"detail", "name", "site", "main_source"}


@pytest.mark.parametrize(
    "body",
    [
        [],
        "just a string",
        {"site": {"nested": True}, "name": ["a"], "main_source": 5},
        {"site": None, "name": None, "main_source": None},
        {"name": "x" * 10_000, "main_source": "rtsp://10.0.0.1/" + "y" * 10_000},
        {"onvif_port": 10**20, "enabled": "perhaps"},
        {"onvif_port": -1},
    ],
)
def test_odd_camera_bodies_are_a_400(body: object, world: World, admin_api: APIClient) -> None:
    before = tenant_state()

    created = admin_api.post(f"{API}/cameras/", body, format="json")
    updated = admin_api.patch(f"{API}/cameras/{world.camera_a1.public_id}/", body, format="json")

    assert (created.status_code, updated.status_code) == (400, 400)
    assert created.json()["detail"] and updated.json()["detail"]
    assert tenant_state() == before


@pytest.mark.parametrize("organization", [1.5, "1.0", "1e3", True, -1, 10**20, [1], {"id": 1}])
def test_odd_organization_ids_are_refused(organization: object, world: World, admin_api: APIClient) -> None:
    before = tenant_state()

    response = admin_api.post(f"{API}/sites/", {"organization": organization, "name": "Odd"}, format="json")

    assert response.status_code == 400
    assert response.json()["organization"] == ["No such organization among those you can manage."]
    assert tenant_state() == before


@pytest.mark.parametrize("value", ["1.5", "1e30", "abc", "-"])
def test_odd_organization_filters_are_a_400(value: str, world: World, admin_api: APIClient) -> None:
    response = admin_api.get(f"{API}/cameras/", {"organization": value})

    assert response.status_code == 400
    assert response.json()["organization"]


def _integer_filters() -> list[tuple[str, str]]:
    """(list URL, parameter) of every filter of the API that takes a whole number."""
    found = []
    for prefix, viewset, _ in router.registry:
        filterset = getattr(viewset, "filterset_class", None)
        for name, field in (filterset.base_filters.items() if filterset else ()):
            if issubclass(field.field_class, forms.IntegerField | forms.ModelChoiceField):
                found.append((f"{API}/{prefix}/", name))
    return found


INTEGER_FILTERS = _integer_filters()


def test_integer_filters_are_found() -> None:
    assert (f"{API}/audit-events/", "actor") in INTEGER_FILTERS
    assert {url for url, name in INTEGER_FILTERS if name == "organization"} >= {f"{API}/sites/", f"{API}/cameras/"}


@pytest.mark.parametrize(("url", "name"), INTEGER_FILTERS)
@pytest.mark.parametrize("value", [str(MAX_ID + 1), str(10**30), "0", "-1"])
def test_integer_filters_refuse_numbers_no_row_can_have(url: str, name: str, value: str, world: World,
                                                        admin_api: APIClient) -> None:
    """A number beyond the database's integer range made SQLite raise OverflowError (a 500)."""
    response = admin_api.get(url, {name: value})

    assert response.status_code == 400
    assert response.json()[name] == [f"Give an id: a whole number from 1 to {MAX_ID}."]


@pytest.mark.parametrize(("url", "name"), INTEGER_FILTERS)
def test_integer_filters_take_the_largest_id(url: str, name: str, world: World, admin_api: APIClient) -> None:
    assert rows(admin_api.get(url, {name: str(MAX_ID)})) == []


def _datetime_parameters() -> list[tuple[str, str, str]]:
    """(list URL, query parameter, filter) of every date-and-time filter of the API (a range has two parameters)."""
    found = []
    for prefix, viewset, _ in router.registry:
        filterset = getattr(viewset, "filterset_class", None)
        for name, field in (filterset.base_filters.items() if filterset else ()):
            if issubclass(field.field_class, forms.DateTimeField):
                found.append((f"{API}/{prefix}/", name, name))
            elif issubclass(field.field_class, RangeField) and "DateTime" in field.field_class.__name__:
                found += [(f"{API}/{prefix}/", f"{name}_{end}", name) for end in ("after", "before")]
    return found


DATETIME_PARAMETERS = _datetime_parameters()


def test_datetime_filters_are_found() -> None:
    parameters = {(url, parameter) for url, parameter, _ in DATETIME_PARAMETERS}
    assert {(f"{API}/audit-events/", "created_at_after"), (f"{API}/motion-events/", "until")} <= parameters


@pytest.mark.parametrize(("url", "parameter", "name"), DATETIME_PARAMETERS)
@pytest.mark.parametrize(
    ("value", "message"),
    [("2026-06-14T01:34:14-20:24", None), ("9999-12-31T23:59:59-05:00", DATETIME_RANGE_MESSAGE),
     ("0001-01-01T00:00:00+01:00", DATETIME_RANGE_MESSAGE)],
)  # fmt: skip
def test_datetime_filters_take_any_offset_and_refuse_times_beyond_utc(
    url: str, parameter: str, name: str, value: str, message: str | None, world: World, admin_api: APIClient
) -> None:
    """An offset beyond PostgreSQL's +-15:59 (-20:24; Python allows 23:59) was a DataError, so a 500."""
    response = admin_api.get(url, {parameter: value})

    if message is None:
        assert response.status_code == 200
    else:
        assert (response.status_code, response.json()[name]) == (400, [message])


def _concrete(path: str, world: World) -> str:
    """A schema path with its ids filled in: real rows of Org A where the world has them."""
    ids = {"cameras": world.camera_a1.public_id, "sites": world.site_a1.public_id, "organizations": world.org_a.pk,
           "members": world.membership(world.viewer).pk}  # fmt: skip
    kind = path.split("/")[3]
    numbered = kind in ("audit-events", "notification-deliveries", "tokens")
    return path.replace("{id}", str(ids.get(kind, 1 if numbered else uuid.uuid4()))).replace(
        "{preset_id}", str(uuid.uuid4())
    )


SCHEMA_PATHS = sorted(SchemaGenerator().get_schema(request=None, public=True)["paths"])


@pytest.mark.parametrize("who", ["admin", "viewer", "token_admin"])
def test_options_on_every_api_path_is_no_server_error(who: str, world: World,
                                                      api_as: Callable[[str], APIClient]) -> None:
    """OPTIONS on /cameras/<id>/motion/ answered 500: its viewset had no queryset for the metadata's PUT check."""
    client = api_as(who)
    paths = [_concrete(path, world) for path in SCHEMA_PATHS]

    answers = {path: client.options(path) for path in paths}

    assert {path: response.status_code for path, response in answers.items() if response.status_code >= 400} == {}
    assert all(response["Content-Type"] == "application/json" for response in answers.values())


def test_options_tells_who_may_change_motion_settings(world: World, api_as: Callable[[str], APIClient]) -> None:
    path = f"{API}/cameras/{world.camera_a1.public_id}/motion/"

    admin, viewer = api_as("admin").options(path).json(), api_as("viewer").options(path).json()

    assert "PUT" in admin["actions"] and "enabled" in admin["actions"]["PUT"]
    assert "actions" not in viewer


def test_malformed_json_is_a_400(world: World, admin_api: APIClient) -> None:
    response = admin_api.generic("POST", f"{API}/sites/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_unsupported_method_is_a_json_405(world: World, api_as: Callable[[str], APIClient]) -> None:
    response = api_as("admin").put(f"{API}/tokens/1/", {})

    assert response.status_code == 405
    assert response.json()["detail"]


def test_integrity_error_becomes_a_409() -> None:
    response = exception_handler(IntegrityError("duplicate key value violates unique constraint"), {})

    assert response is not None and response.status_code == 409
    assert "conflicts" in response.data["detail"]


@pytest.mark.parametrize(
    "path",
    ["cameras/0.5/motion/", "cameras/a.b/ptz/", "tokens/1.5/revoke/", "notification-deliveries/null/",
     "no-such-thing/", "cameras/x.y/ptz/presets/"],
)  # fmt: skip
def test_api_urls_no_route_matches_answer_the_json_404(path: str, world: World, admin_api: APIClient) -> None:
    """These answered the HTML "Not found" page: the ids do not fit the routes' patterns."""
    response = admin_api.get(f"{API}/{path}")

    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == {"detail": "Not found."}


def test_pages_no_route_matches_keep_the_html_404(world: World, admin_api: APIClient) -> None:
    response = admin_api.get("/no-such-page/")

    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_api_server_errors_are_json(world: World, admin_api: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("cameras.api.SiteViewSet.list", explode)
    admin_api.raise_request_exception = False

    response = admin_api.get(f"{API}/sites/")

    assert (response.status_code, response["Content-Type"]) == (500, "application/json")
    assert response.json()["detail"]


@pytest.mark.parametrize("page", ["0", "-1", "1.5", "abc", "١"])
def test_malformed_page_numbers_are_a_400(page: str, world: World, admin_api: APIClient) -> None:
    """page=0 answered an undocumented 404 "Invalid page."."""
    response = admin_api.get(f"{API}/cameras/", {"page": page})

    assert response.status_code == 400
    assert response.json()["page"] == ["Give a page number: a whole number from 1 (or last)."]


@pytest.mark.parametrize("page", ["2", str(10**30)])
def test_pages_past_the_end_are_a_404(page: str, world: World, admin_api: APIClient) -> None:
    response = admin_api.get(f"{API}/cameras/", {"page": page})

    assert (response.status_code, response.json()) == (404, {"detail": "No such page: the list has fewer pages."})


@pytest.mark.parametrize("page", ["1", "last", ""])
def test_good_page_numbers_answer_the_page(page: str, world: World, admin_api: APIClient) -> None:
    assert len(rows(admin_api.get(f"{API}/cameras/", {"page": page}))) == 3


@pytest.mark.parametrize(
    ("errors", "body"),
    [
        ({"sites": {"1": ["Must be a valid UUID."]}},
         {"detail": FIELDS_SUMMARY, "sites": ["Item 2: Must be a valid UUID."]}),
        ({"schedule": [{}, {"days": ["Pick a day."], "non_field_errors": ["End before start."]}]},
         {"detail": FIELDS_SUMMARY, "schedule": ["Item 2, days: Pick a day.", "Item 2: End before start."]}),
        ({"page": "Give a number."}, {"detail": FIELDS_SUMMARY, "page": ["Give a number."]}),
        (["One.", "Two."], {"detail": "One. Two."}),
        ({"detail": ["Stop."]}, {"detail": "Stop."}),
    ],
)  # fmt: skip
def test_field_errors_are_flattened_into_the_documented_shape(errors: Any, body: dict[str, Any]) -> None:
    assert field_errors(errors) == body


def test_list_item_errors_follow_the_documented_shape(world: World, admin_api: APIClient) -> None:
    """POST /notification-rules/ answered {"sites": {"0": ["Must be a valid UUID."]}}: an object, not a list."""
    body = {"organization": world.org_a.pk, "name": "Night", "sites": [str(world.site_a1.public_id), "nope"]}

    response = admin_api.post(f"{API}/notification-rules/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": FIELDS_SUMMARY, "sites": ["Item 2: Must be a valid UUID."]}
