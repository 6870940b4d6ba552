"""The clips API: scope, rights, filters, download links and files, quota refusals (no worker)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from recordings.models import Clip, ClipStatus
from tests.api.conftest import API
from tests.conftest import World
from tests.recordings.helpers import MP4_BYTES, make_clip, stored

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued_work")]

CLIPS = f"{API}/clips/"


@pytest.fixture
def clip(world: World) -> Clip:
    return make_clip(world.camera_a1)


def test_operator_requests_a_clip(world: World, api_as: Callable[[str], APIClient]) -> None:
    response = api_as("operator").post(CLIPS, {"camera": str(world.camera_a1.public_id), "duration": 30},
                                       format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["duration"], body["camera"]) == ("queued", 30, str(world.camera_a1.public_id))
    assert Clip.objects.get(public_id=body["id"]).requested_by == world.operator


def test_an_api_token_with_export_requests_a_clip(world: World, api_as: Callable[[str], APIClient]) -> None:
    response = api_as("token_admin").post(CLIPS, {"camera": str(world.camera_a2.public_id), "duration": 5},
                                          format="json")
    assert response.status_code == 201
    assert response.json()["requested_by"].startswith("API token A integration")


@pytest.mark.parametrize("who", ["viewer", "restricted_viewer", "token_viewer"])
def test_viewer_without_export_gets_403_and_nothing_is_created(
    world: World, api_as: Callable[[str], APIClient], who: str
) -> None:
    response = api_as(who).post(CLIPS, {"camera": str(world.camera_a1.public_id), "duration": 10}, format="json")
    assert response.status_code == 403
    assert not Clip.objects.exists()


def test_camera_outside_scope_is_not_found(world: World, api_as: Callable[[str], APIClient]) -> None:
    response = api_as("admin_b").post(CLIPS, {"camera": str(world.camera_a1.public_id), "duration": 10},
                                      format="json")
    assert response.status_code == 404
    assert not Clip.objects.exists()


@pytest.mark.parametrize("duration", [0, 1801, "ten", None])
def test_bad_duration_is_a_field_error(world: World, api_as: Callable[[str], APIClient], duration: object) -> None:
    response = api_as("operator").post(CLIPS, {"camera": str(world.camera_a1.public_id), "duration": duration},
                                       format="json")
    assert response.status_code == 400
    assert "duration" in response.json()


def test_quota_refusal_is_a_clear_400(world: World, api_as: Callable[[str], APIClient], clip: Clip) -> None:
    world.org_a.clip_storage_quota_bytes = clip.size
    world.org_a.save()
    response = api_as("operator").post(CLIPS, {"camera": str(world.camera_a1.public_id), "duration": 10},
                                       format="json")
    assert response.status_code == 400
    assert "storage is full" in response.json()["detail"]
    assert Clip.objects.count() == 1


def test_list_holds_only_clips_the_caller_may_see(world: World, api_as: Callable[[str], APIClient]) -> None:
    a1, a2, b = make_clip(world.camera_a1), make_clip(world.camera_a2), make_clip(world.camera_b)

    def ids(who: str) -> set[str]:
        return {item["id"] for item in api_as(who).get(CLIPS).json()["results"]}

    assert ids("viewer") == {str(a1.public_id), str(a2.public_id)}
    assert ids("restricted_viewer") == {str(a1.public_id)}
    assert ids("admin_b") == {str(b.public_id)}
    assert ids("outsider") == set()


def test_list_filters(world: World, api_as: Callable[[str], APIClient]) -> None:
    old = make_clip(world.camera_a1)
    Clip.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    failed = make_clip(world.camera_a2, status=ClipStatus.FAILED)
    client = api_as("viewer")

    def ids(**params: str) -> set[str]:
        response = client.get(CLIPS, params)
        assert response.status_code == 200, response.json()
        return {item["id"] for item in response.json()["results"]}

    assert ids(camera=str(world.camera_a2.public_id)) == {str(failed.public_id)}
    assert ids(status="ready") == {str(old.public_id)}
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids(created_after=since) == {str(failed.public_id)}
    assert ids(created_before=since) == {str(old.public_id)}


def test_retrieve_outside_scope_is_404(world: World, api_as: Callable[[str], APIClient], clip: Clip) -> None:
    assert api_as("viewer").get(f"{CLIPS}{clip.public_id}/").status_code == 200
    for who in ("admin_b", "outsider", "token_b"):
        assert api_as(who).get(f"{CLIPS}{clip.public_id}/").status_code == 404
    assert api_as("viewer").get(f"{CLIPS}not-a-uuid/").status_code == 404


def test_file_is_served_to_a_viewer_and_audited(world: World, api_as: Callable[[str], APIClient], clip: Clip) -> None:
    link = api_as("viewer").get(f"{CLIPS}{clip.public_id}/download/")
    assert link.status_code == 200
    assert link.json()["expires_in"] is None
    assert link.json()["url"].endswith(f"/api/v1/clips/{clip.public_id}/file/")

    response = api_as("viewer").get(f"{CLIPS}{clip.public_id}/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Disposition"].startswith('attachment; filename="clip-a1-entrance-')
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == clip.sha256
    assert AuditEvent.objects.filter(action="clip.download", target_id=str(clip.public_id)).count() == 1


def test_file_asked_for_as_mp4_is_served(world: World, api_as: Callable[[str], APIClient], clip: Clip) -> None:
    """Accept: video/mp4 (the file's own type) answered 406: the action only offered JSON."""
    response = api_as("viewer").get(f"{CLIPS}{clip.public_id}/file/", HTTP_ACCEPT="video/mp4")

    assert (response.status_code, response["Content-Type"]) == (200, "video/mp4")
    assert b"".join(response.streaming_content) == MP4_BYTES


def test_file_errors_asked_for_as_mp4_are_json(world: World, api_as: Callable[[str], APIClient]) -> None:
    queued = make_clip(world.camera_a1, status=ClipStatus.QUEUED)

    response = api_as("viewer").get(f"{CLIPS}{queued.public_id}/file/", HTTP_ACCEPT="video/mp4")

    assert (response.status_code, response["Content-Type"]) == (409, "application/json")
    assert response.json()["detail"]


def test_byte_ranges_serve_part_of_the_file(world: World, api_as: Callable[[str], APIClient], clip: Clip) -> None:
    response = api_as("viewer").get(f"{CLIPS}{clip.public_id}/file/?inline=1", HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(MP4_BYTES)}"
    assert b"".join(response.streaming_content) == MP4_BYTES[100:200]
    assert response["Content-Disposition"].startswith("inline;")
    assert not AuditEvent.objects.filter(action="clip.download").exists()  # only the first request of a play


@pytest.mark.parametrize("who", ["admin_b", "outsider", "token_b"])
def test_outsider_cannot_download(world: World, api_as: Callable[[str], APIClient], clip: Clip, who: str) -> None:
    assert api_as(who).get(f"{CLIPS}{clip.public_id}/file/").status_code == 404
    assert api_as(who).get(f"{CLIPS}{clip.public_id}/download/").status_code == 404
    assert not AuditEvent.objects.filter(action="clip.download").exists()


def test_a_clip_without_file_answers_409(world: World, api_as: Callable[[str], APIClient]) -> None:
    queued = make_clip(world.camera_a1, status=ClipStatus.QUEUED)
    assert api_as("viewer").get(f"{CLIPS}{queued.public_id}/file/").status_code == 409
    assert api_as("viewer").get(f"{CLIPS}{queued.public_id}/download/").status_code == 409


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("operator", 403), ("admin_b", 404), ("admin", 204),
                                             ("token_admin", 204)])
def test_only_managers_delete(
    world: World, api_as: Callable[[str], APIClient], clip: Clip, who: str, status: int
) -> None:
    response = api_as(who).delete(f"{CLIPS}{clip.public_id}/")
    assert response.status_code == status
    assert Clip.objects.filter(pk=clip.pk).exists() is (status != 204)


def test_deleted_file_goes_too(world: World, api_as: Callable[[str], APIClient], clip: Clip,
                               django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        api_as("admin").delete(f"{CLIPS}{clip.public_id}/")
    assert not stored(clip)


def test_schema_documents_the_clip_endpoints(world: World, api_as: Callable[[str], APIClient]) -> None:
    paths = api_as("viewer").get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    expected = {"/api/v1/clips/", "/api/v1/clips/{id}/", "/api/v1/clips/{id}/download/", "/api/v1/clips/{id}/file/"}
    assert expected <= set(paths)
