"""Clip exports into an S3-compatible store (moto's server), downloads through presigned URLs."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from recordings.clips import services as exports
from recordings.models import Clip, ClipStatus
from tests.recordings.live.fixtures import S3Server, Scene
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def s3_settings(settings, s3_server: S3Server) -> S3Server:  # type: ignore[no-untyped-def]
    """This process uses the bucket too (the worker gets the same through its environment)."""
    settings.CCTV_CLIP_STORAGE = "s3"
    settings.STORAGES = {**settings.STORAGES, "clips": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": s3_server.bucket, "endpoint_url": s3_server.url, "region_name": s3_server.region,
            "access_key": s3_server.access_key, "secret_key": s3_server.secret_key, "addressing_style": "path",
            "signature_version": "s3v4", "default_acl": None, "querystring_auth": True, "querystring_expire": 300,
            "file_overwrite": True,
        },
    }}
    return s3_server


def test_clip_is_stored_in_the_bucket_and_downloaded_through_a_presigned_url(
    scene: Scene, s3_settings: S3Server, worker_with
) -> None:  # type: ignore[no-untyped-def]
    worker = worker_with(**s3_settings.env())
    clip = exports.request_clip(scene.operator, scene.camera.public_id, 3)
    wait_until(lambda: Clip.objects.get(pk=clip.pk).status in ("ready", "failed"), timeout=60,
               otherwise=lambda: worker.log_text()[-3000:])
    clip = Clip.objects.get(pk=clip.pk)
    assert clip.status == ClipStatus.READY, clip.reason

    s3 = s3_settings.client()
    stored = s3.get_object(Bucket=s3_settings.bucket, Key=clip.file.name)["Body"].read()
    assert (len(stored), hashlib.sha256(stored).hexdigest()) == (clip.size, clip.sha256)
    grants = s3.get_object_acl(Bucket=s3_settings.bucket, Key=clip.file.name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]  # the owner only: a private object

    api = APIClient()
    api.force_login(scene.viewer)
    link = api.get(f"/api/v1/clips/{clip.public_id}/download/").json()
    assert link["expires_in"] == 300 and "X-Amz-Signature=" in link["url"] and "X-Amz-Expires=300" in link["url"]
    fetched = httpx.get(link["url"], timeout=10)
    assert fetched.status_code == 200
    assert hashlib.sha256(fetched.content).hexdigest() == clip.sha256
    assert 'attachment; filename="clip-gate-' in fetched.headers["content-disposition"]

    page = Client()
    page.force_login(scene.viewer)
    redirect = page.get(f"/clips/{clip.public_id}/download/?inline=1")
    assert redirect.status_code == 302 and redirect["Location"].startswith(s3_settings.url)
    assert AuditEvent.objects.filter(action="clip.download", target_id=str(clip.public_id)).count() == 2

    outsider = Client()
    outsider.force_login(scene.outsider)
    assert outsider.get(f"/clips/{clip.public_id}/download/").status_code == 404


def test_deleting_a_clip_removes_the_object(scene: Scene, s3_settings: S3Server, worker_with) -> None:  # type: ignore[no-untyped-def]
    worker = worker_with(**s3_settings.env())
    clip = exports.request_clip(scene.operator, scene.camera.public_id, 1)
    wait_until(lambda: Clip.objects.get(pk=clip.pk).status == "ready", timeout=60,
               otherwise=lambda: worker.log_text()[-3000:])
    name = Clip.objects.get(pk=clip.pk).file.name

    exports.delete_clip(scene.admin, Clip.objects.get(pk=clip.pk))

    listing = s3_settings.client().list_objects_v2(Bucket=s3_settings.bucket, Prefix=name)
    assert listing.get("KeyCount", 0) == 0
