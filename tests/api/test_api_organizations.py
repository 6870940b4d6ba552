"""The organizations endpoint: the caller's organizations and their role in each."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.roles import Role
from tests.api.conftest import API, rows
from tests.conftest import World
from tests.support.factories import make_member


@pytest.mark.parametrize(
    ("who", "role"),
    [("owner", "owner"), ("admin", "admin"), ("operator", "operator"), ("restricted_viewer", "viewer"),
     ("token_viewer", "viewer"), ("token_admin", "admin")],
)  # fmt: skip
def test_organizations_list_shows_the_callers_role(
    who: str, role: str, world: World, api_as: Callable[[str], APIClient]
) -> None:
    organizations = rows(api_as(who).get(f"{API}/organizations/"))

    assert organizations == [{"id": world.org_a.pk, "name": "Org A", "require_mfa": False, "role": role}]


def test_member_of_two_organizations_sees_both_with_each_role(world: World, api_as: Callable[[str], APIClient]) -> None:
    make_member(world.viewer, world.org_b, Role.ADMIN)

    organizations = rows(api_as("viewer").get(f"{API}/organizations/"))

    assert [(org["name"], org["role"]) for org in organizations] == [("Org A", "viewer"), ("Org B", "admin")]


def test_person_without_organization_sees_none(world: World, api_as: Callable[[str], APIClient]) -> None:
    assert rows(api_as("outsider").get(f"{API}/organizations/")) == []


def test_organizations_are_read_only(world: World, api_as: Callable[[str], APIClient]) -> None:
    client = api_as("owner")
    url = f"{API}/organizations/{world.org_a.pk}/"

    responses = [client.post(f"{API}/organizations/", {"name": "New"}), client.patch(url, {"name": "Renamed"})]

    assert [response.status_code for response in responses] == [405, 405]
    world.org_a.refresh_from_db()
    assert world.org_a.name == "Org A"
