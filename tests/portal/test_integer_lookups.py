"""Numbers no database row can have: relations and ``__in`` answer without asking the database.

On SQLite such a number failed inside the driver (OverflowError), so any API
filter, admin changelist (``?organization=<huge>``) or admin URL whose id is a
relation (motion settings) answered 500. The range check now happens before
the query is sent, on every database; a query that needs no round trip shows it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import Membership
from cameras.models import Camera
from recordings.models import MotionSettings
from tests.conftest import World

pytestmark = pytest.mark.django_db

BEYOND = [2**63, 10**30, -(2**63) - 1]


@pytest.mark.parametrize("value", BEYOND)
@pytest.mark.parametrize("lookup", ["organization", "organization_id", "organization__exact", "user__in", "pk__in"])
def test_out_of_range_relation_lookups_match_nothing_without_a_query(
    lookup: str, value: int, world: World, django_assert_num_queries: Callable
) -> None:
    rhs = [value] if lookup.endswith("__in") else value

    with django_assert_num_queries(0):
        found = list(Membership.objects.filter(**{lookup: rhs}))

    assert found == []


@pytest.mark.parametrize(("lookup", "value"), [("user__lt", 10**30), ("user__gte", -(10**30))])
def test_out_of_range_bounds_match_every_row(lookup: str, value: int, world: World) -> None:
    assert Membership.objects.filter(**{lookup: value}).count() == Membership.objects.count() > 0


def test_in_keeps_the_values_a_row_can_have(world: World) -> None:
    found = Camera.objects.filter(site__in=[world.site_a1.pk, 10**30]).order_by("pk")

    assert list(found) == [world.camera_a1, world.camera_a1_sub]


def test_excluding_an_out_of_range_relation_keeps_every_row(world: World) -> None:
    assert Membership.objects.exclude(organization=10**30).count() == Membership.objects.count()


def test_related_primary_key_beyond_range_is_missing_without_a_query(
    world: World, django_assert_num_queries: Callable
) -> None:
    with django_assert_num_queries(0):
        assert list(MotionSettings.objects.filter(pk=2**63)) == []
