"""Clip pages: the list, the record form, downloads, deletes, the live-view control, organization settings."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from recordings.models import Clip, ClipStatus
from tests.conftest import World
from tests.recordings.helpers import MP4_BYTES, make_clip

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued_work")]


def test_clip_list_shows_visible_clips_with_their_status(world: World, client_for: Callable) -> None:
    ready, failed = make_clip(world.camera_a1), make_clip(world.camera_a2, status=ClipStatus.FAILED)
    hidden = make_clip(world.camera_b)

    page = client_for(world.viewer).get(reverse("clip_list")).content.decode()

    assert f'data-clip="{ready.public_id}"' in page and f'data-clip="{failed.public_id}"' in page
    assert str(hidden.public_id) not in page
    assert "The camera sent no video." in page
    assert reverse("clip_download", args=[ready.public_id]) in page
    # URLs come from the server's config: clip URLs in data-config, the socket path only in the page config.
    assert 'data-config="' in page and page.count("/ws/events/") == 1
    assert '"events": "/ws/events/"' in page.split('id="page-config"', 1)[1].split("</script>", 1)[0]
    assert "Delete" not in page  # viewers do not delete


def test_clip_list_filters_by_camera_and_status(world: World, client_for: Callable) -> None:
    a1, a2 = make_clip(world.camera_a1), make_clip(world.camera_a2, status=ClipStatus.FAILED)
    client = client_for(world.admin)
    page = client.get(reverse("clip_list"), {"camera": world.camera_a2.public_id}).content.decode()
    assert str(a2.public_id) in page and str(a1.public_id) not in page
    page = client.get(reverse("clip_list"), {"status": "ready"}).content.decode()
    assert str(a1.public_id) in page and str(a2.public_id) not in page
    page = client.get(reverse("clip_list"), {"date_from": "2000-01-01", "date_to": "2000-01-02"}).content.decode()
    assert "No clips match this filter" in page


def test_camera_of_another_organization_is_not_a_filter_choice(world: World, client_for: Callable) -> None:
    response = client_for(world.admin).get(reverse("clip_list"), {"camera": world.camera_b.public_id})
    assert response.status_code == 200
    assert "camera" in response.context["form"].errors


def test_clips_are_in_the_navigation(world: World, client_for: Callable) -> None:
    page = client_for(world.viewer).get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("clip_list")}"' in page


def test_record_form_without_javascript(world: World, client_for: Callable) -> None:
    live_page = reverse("live_camera", args=[world.camera_a1.public_id])
    response = client_for(world.operator).post(
        reverse("clip_request"), {"camera": world.camera_a1.public_id, "duration": 30, "next": live_page}
    )
    assert response.status_code == 302 and response["Location"] == live_page
    assert Clip.objects.get().duration == 30


def test_record_form_refuses_a_viewer(world: World, client_for: Callable) -> None:
    client = client_for(world.viewer)
    response = client.post(reverse("clip_request"), {"camera": world.camera_a1.public_id, "duration": 10},
                           follow=True)
    assert "Your role does not allow this." in response.content.decode()
    assert not Clip.objects.exists()


def test_record_form_offers_only_listed_lengths(world: World, client_for: Callable) -> None:
    client_for(world.operator).post(reverse("clip_request"), {"camera": world.camera_a1.public_id, "duration": 7})
    assert not Clip.objects.exists()


def test_live_view_has_the_record_control_for_exporters_only(world: World, client_for: Callable) -> None:
    url = reverse("live_camera", args=[world.camera_a1.public_id])
    operator_page = client_for(world.operator).get(url).content.decode()
    assert "data-clip-record" in operator_page and "js/clips.js" in operator_page
    assert 'value="300">5 min' in operator_page
    assert "data-clip-record" not in client_for(world.viewer).get(url).content.decode()


def test_download_page_serves_the_file_to_viewers(world: World, client_for: Callable) -> None:
    clip = make_clip(world.camera_a1)
    response = client_for(world.restricted_viewer).get(reverse("clip_download", args=[clip.public_id]),
                                                       {"inline": "1"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == MP4_BYTES
    assert response["Content-Disposition"].startswith("inline;")
    assert AuditEvent.objects.get(action="clip.download").detail == {"mode": "inline"}


@pytest.mark.parametrize("who", ["admin_b", "outsider"])
def test_download_page_is_404_outside_scope(world: World, client_for: Callable, who: str) -> None:
    clip = make_clip(world.camera_a1)
    assert client_for(getattr(world, who)).get(reverse("clip_download", args=[clip.public_id])).status_code == 404


def test_download_page_needs_a_login(world: World, client) -> None:  # type: ignore[no-untyped-def]
    clip = make_clip(world.camera_a1)
    response = client.get(reverse("clip_download", args=[clip.public_id]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_media_files_have_no_public_url(world: World, client) -> None:  # type: ignore[no-untyped-def]
    clip = make_clip(world.camera_a1)
    assert client.get(f"/media/{clip.file.name}").status_code == 404


def test_admin_deletes_from_the_page_and_viewer_cannot(world: World, client_for: Callable) -> None:
    clip = make_clip(world.camera_a1)
    url = reverse("clip_delete", args=[clip.public_id])
    assert client_for(world.viewer).post(url).status_code == 403
    assert client_for(world.admin).post(url).status_code == 302
    assert not Clip.objects.exists()


def test_organization_settings_edit_the_clip_policy(world: World, client_for: Callable) -> None:
    client = client_for(world.admin)
    page = client.get(reverse("organization_settings")).content.decode()
    assert 'name="clip_retention_days"' in page and 'name="clip_storage_quota_bytes"' in page

    response = client.post(reverse("organization_settings"), {
        "name": "Org A", "clip_retention_days": 7, "clip_storage_quota_bytes": "2.5",
    })

    assert response.status_code == 302
    world.org_a.refresh_from_db()
    assert (world.org_a.clip_retention_days, world.org_a.clip_storage_quota_bytes) == (7, 2_500_000_000)
    assert 'value="2.5"' in client.get(reverse("organization_settings")).content.decode()
