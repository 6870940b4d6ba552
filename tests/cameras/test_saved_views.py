"""Saved live views: the gate on save and on show, and one person's views staying theirs."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from cameras import saved_views
from cameras.models import SavedView
from tests.support.factories import make_camera

pytestmark = pytest.mark.django_db


def _ids(*cameras) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(camera.public_id) for camera in cameras]


# --- service ---------------------------------------------------------------------------


def test_saves_layout_and_cameras_in_the_given_order(world) -> None:  # type: ignore[no-untyped-def]
    view, created = saved_views.save_view(
        world.viewer, world.org_a, name=" Entrances ", layout="2x2",
        cameras=_ids(world.camera_a2, world.camera_a1, world.camera_a2),
    )
    assert created
    view.refresh_from_db()
    assert (view.name, view.layout, view.user, view.organization) == ("Entrances", "2x2", world.viewer, world.org_a)
    assert view.cameras == _ids(world.camera_a2, world.camera_a1)  # duplicates dropped, order kept
    assert saved_views.cameras_of(world.viewer, view) == [world.camera_a2, world.camera_a1]


def test_same_name_replaces_the_view(world) -> None:  # type: ignore[no-untyped-def]
    saved_views.save_view(world.viewer, world.org_a, name="Wall", layout="2x2", cameras=_ids(world.camera_a1))
    view, created = saved_views.save_view(
        world.viewer, world.org_a, name="Wall", layout="3x3", cameras=_ids(world.camera_a2)
    )
    assert not created
    assert SavedView.objects.filter(user=world.viewer).count() == 1
    assert (view.layout, view.cameras) == ("3x3", _ids(world.camera_a2))


@pytest.mark.parametrize("foreign", ["camera_b", "missing", "garbage"])
def test_cameras_outside_the_gate_are_refused_alike(world, foreign: str) -> None:  # type: ignore[no-untyped-def]
    value = {"camera_b": str(world.camera_b.public_id), "missing": str(uuid.uuid4()), "garbage": "x' OR 1=1"}[foreign]
    with pytest.raises(ValidationError) as caught:
        saved_views.save_view(world.owner, world.org_a, name="Mixed", layout="2x2",
                              cameras=[*_ids(world.camera_a1), value])
    assert caught.value.message_dict["cameras"] == [f"These cameras are not available to you: {value}"]
    assert not SavedView.objects.exists()


def test_a_restricted_viewer_cannot_save_cameras_of_other_sites(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="not available to you"):
        saved_views.save_view(world.restricted_viewer, world.org_a, name="All", layout="2x2",
                              cameras=_ids(world.camera_a1, world.camera_a2))
    view, _ = saved_views.save_view(world.restricted_viewer, world.org_a, name="Mine", layout="2x2",
                                    cameras=_ids(world.camera_a1, world.camera_a1_sub))
    assert saved_views.cameras_of(world.restricted_viewer, view) == [world.camera_a1, world.camera_a1_sub]


def test_a_camera_of_another_organization_of_the_same_user_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    from accounts.roles import Role
    from tests.support.factories import make_member

    make_member(world.viewer, world.org_b, Role.VIEWER)
    with pytest.raises(ValidationError, match="not available to you"):
        saved_views.save_view(world.viewer, world.org_a, name="Both", layout="2x2",
                              cameras=_ids(world.camera_a1, world.camera_b))


def test_saving_into_an_organization_one_is_not_in_is_404(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Http404):
        saved_views.save_view(world.outsider, world.org_a, name="Peek", layout="2x2", cameras=_ids(world.camera_a1))


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"layout": "7x7"}, "layout"),
        ({"cameras": []}, "cameras"),
        ({"layout": "1"}, "cameras"),  # two cameras do not fit one tile
    ],
)
def test_invalid_input_is_a_clear_error(world, fields: dict, error_field: str) -> None:  # type: ignore[no-untyped-def]
    values = {"name": "View", "layout": "2x2", "cameras": _ids(world.camera_a1, world.camera_a2), **fields}
    with pytest.raises(ValidationError) as caught:
        saved_views.save_view(world.viewer, world.org_a, **values)
    assert error_field in caught.value.message_dict


def test_cameras_no_longer_viewable_are_silently_dropped(world) -> None:  # type: ignore[no-untyped-def]
    view, _ = saved_views.save_view(world.viewer, world.org_a, name="Wall", layout="2x2",
                                    cameras=_ids(world.camera_a1, world.camera_a2, world.camera_a1_sub))
    membership = world.membership(world.viewer)
    membership.sites.set([world.site_a1])  # now limited to site A1
    world.camera_a1_sub.delete()
    assert saved_views.cameras_of(world.viewer, view) == [world.camera_a1]
    membership.delete()  # left the organization
    assert saved_views.cameras_of(world.viewer, view) == []


def test_views_are_per_user_and_per_organization(world) -> None:  # type: ignore[no-untyped-def]
    mine, _ = saved_views.save_view(world.viewer, world.org_a, name="Mine", layout="2x2", cameras=_ids(world.camera_a1))
    saved_views.save_view(world.owner, world.org_a, name="Mine", layout="2x2", cameras=_ids(world.camera_a2))
    assert list(saved_views.views_for(world.viewer, world.org_a)) == [mine]
    assert list(saved_views.views_for(world.viewer, world.org_b)) == []
    for other in (world.owner, world.admin_b, world.outsider):
        with pytest.raises(Http404):
            saved_views.get_view(other, world.org_a, mine.public_id)
        with pytest.raises(Http404):
            saved_views.delete_view(other, world.org_a, mine.public_id)
    assert SavedView.objects.filter(pk=mine.pk).exists()
    saved_views.delete_view(world.viewer, world.org_a, mine.public_id)
    assert not SavedView.objects.filter(pk=mine.pk).exists()


# --- pages ------------------------------------------------------------------------------


def test_save_open_and_delete_through_the_pages(world, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.viewer)
    response = client.post(reverse("live_view_save"), {
        "name": "Lobby", "layout": "2x2", "cameras": _ids(world.camera_a1_sub, world.camera_a1),
    })
    view = SavedView.objects.get(user=world.viewer, name="Lobby")
    assert response.status_code == 302
    assert response.url == reverse("live_saved_view", args=[view.public_id])

    page = client.get(response.url)
    assert page.status_code == 200
    tiles = [(t.public_id, t.variant) for t in page.context["tiles"]]
    assert tiles == [(str(world.camera_a1_sub.public_id), "sub"), (str(world.camera_a1.public_id), "main")]
    html = page.content.decode()
    assert "rtsp://" not in html and "Secr3tPass" not in html  # sources never reach the page

    response = client.post(reverse("live_view_delete", args=[view.public_id]))
    assert response.status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_another_user_cannot_open_or_delete_a_view(world, client_for) -> None:  # type: ignore[no-untyped-def]
    view, _ = saved_views.save_view(world.viewer, world.org_a, name="Private", layout="2x2",
                                    cameras=_ids(world.camera_a1))
    for other in (world.owner, world.admin_b):
        client = client_for(other)
        assert client.get(reverse("live_saved_view", args=[view.public_id])).status_code == 404
        assert client.post(reverse("live_view_delete", args=[view.public_id])).status_code == 404
        assert "Private" not in client.get(reverse("live_grid")).content.decode()
    # Someone in no organization gets the "no organization" page, whatever the id.
    outsider = client_for(world.outsider)
    assert "Private" not in outsider.get(reverse("live_saved_view", args=[view.public_id])).content.decode()
    outsider.post(reverse("live_view_delete", args=[view.public_id]))
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_saving_a_foreign_camera_through_the_page_says_why(world, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.admin)
    response = client.post(reverse("live_view_save"), {
        "name": "Sneaky", "layout": "2x2", "cameras": _ids(world.camera_a1, world.camera_b),
        "next": "/live/?layout=2x2",
    }, follow=True)
    assert response.redirect_chain[-1][0] == "/live/?layout=2x2"
    assert "not available to you" in response.content.decode()
    assert not SavedView.objects.exists()


# --- grid and single pages ---------------------------------------------------------------


def test_grid_pages_cameras_and_chooses_sub_streams(world, client_for) -> None:  # type: ignore[no-untyped-def]
    extra = [make_camera(world.site_a2, f"Extra {n}") for n in range(3)]
    client = client_for(world.viewer)
    first = client.get(reverse("live_grid"), {"layout": "2x2"})
    second = client.get(reverse("live_grid"), {"layout": "2x2", "page": 2})
    assert first.context["page"].paginator.num_pages == 2
    assert "Page 1 of 2" in first.content.decode()
    shown = [t.public_id for t in first.context["tiles"]] + [t.public_id for t in second.context["tiles"]]
    assert sorted(shown) == sorted(_ids(*world.cameras_a, *extra))
    variants = {t.public_id: t.variant for t in first.context["tiles"] + second.context["tiles"]}
    assert variants[str(world.camera_a1_sub.public_id)] == "sub"
    assert variants[str(world.camera_a1.public_id)] == "main"


def test_grid_filters_by_site_and_refuses_foreign_sites(world, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.viewer)
    page = client.get(reverse("live_grid"), {"site": str(world.site_a2.public_id)})
    assert [t.public_id for t in page.context["tiles"]] == _ids(world.camera_a2)
    assert client.get(reverse("live_grid"), {"site": str(world.site_b.public_id)}).status_code == 404
    restricted = client_for(world.restricted_viewer).get(reverse("live_grid"))
    assert sorted(t.public_id for t in restricted.context["tiles"]) == sorted(
        _ids(world.camera_a1, world.camera_a1_sub))


def test_single_camera_page_and_access_probe_follow_the_gate(world, client_for) -> None:  # type: ignore[no-untyped-def]
    viewer, outsider = client_for(world.viewer), client_for(world.admin_b)
    camera = world.camera_a1
    assert viewer.get(reverse("live_camera", args=[camera.public_id])).status_code == 200
    assert outsider.get(reverse("live_camera", args=[camera.public_id])).status_code == 404
    assert viewer.get(reverse("live_access", args=[camera.public_id])).json()["camera"] == str(camera.public_id)
    assert outsider.get(reverse("live_access", args=[camera.public_id])).status_code == 404
    from django.test import Client

    assert Client().get(reverse("live_access", args=[camera.public_id])).status_code == 401
    assert Client().get(reverse("live_grid")).status_code == 302  # to the login page
