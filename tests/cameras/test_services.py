"""Camera and site services: validation, the in-transaction gate and audit."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.models import AuditEvent
from accounts.roles import Role
from cameras import services
from cameras.models import Camera, Site
from tests.support.factories import make_camera, make_member, make_organization, make_site, make_user

pytestmark = pytest.mark.django_db

SOURCE = "rtsp://admin:S3cretPw@192.168.1.64:554/live"


@pytest.fixture
def admin_and_sites() -> tuple:
    org_a, org_b = make_organization("Org A"), make_organization("Org B")
    admin = make_user()
    make_member(admin, org_a, Role.ADMIN)
    return admin, make_site(org_a, "Mine"), make_site(org_b, "Theirs")


def test_admin_creates_camera_with_audit_event(admin_and_sites: tuple) -> None:
    admin, mine, _ = admin_and_sites
    camera = services.create_camera(admin, mine, name="Gate", main_source=SOURCE, ip="10.1.1.1")
    event = AuditEvent.objects.get(action="camera.create")
    assert (event.actor, event.organization_id, event.target_id) == (admin, mine.organization_id, str(camera.public_id))
    assert event.ip_address == "10.1.1.1"


def test_camera_cannot_be_attached_to_another_tenants_site(admin_and_sites: tuple) -> None:
    admin, _, theirs = admin_and_sites
    with pytest.raises(Http404):
        services.create_camera(admin, theirs, name="Sneaky", main_source=SOURCE)
    assert not Camera.objects.exists()
    assert not AuditEvent.objects.exists()


def test_camera_cannot_be_moved_to_another_tenants_site(admin_and_sites: tuple) -> None:
    admin, mine, theirs = admin_and_sites
    camera = make_camera(site=mine)
    with pytest.raises(Http404):
        services.update_camera(admin, camera, site=theirs, name="Moved")
    camera.refresh_from_db()
    assert (camera.site, camera.name) == (mine, camera.name)


def test_hostile_source_leaves_the_camera_unchanged(admin_and_sites: tuple) -> None:
    admin, mine, _ = admin_and_sites
    camera = make_camera(site=mine, main_source=SOURCE)
    with pytest.raises(ValidationError) as caught:
        services.update_camera(admin, camera, name="Renamed", main_source="exec:/bin/sh")
    assert "main_source" in caught.value.message_dict
    camera.refresh_from_db()
    assert (camera.main_source, camera.name) == (SOURCE, camera.name)
    assert not AuditEvent.objects.filter(action="camera.update").exists()


def test_duplicate_camera_name_is_a_clear_error(admin_and_sites: tuple) -> None:
    admin, mine, _ = admin_and_sites
    make_camera(site=mine, name="Gate")
    with pytest.raises(ValidationError) as caught:
        services.create_camera(admin, mine, name="Gate", main_source=SOURCE)
    assert "already exists" in caught.value.message_dict["name"][0]
    assert Camera.objects.filter(site=mine).count() == 1


def test_update_audit_names_changed_secret_fields_without_values(admin_and_sites: tuple) -> None:
    admin, mine, _ = admin_and_sites
    camera = make_camera(site=mine, main_source=SOURCE)
    services.update_camera(admin, camera, main_source="rtsp://admin:NewPw99@192.168.1.65/live")
    event = AuditEvent.objects.get(action="camera.update")
    assert event.detail["changed"] == ["main_source"]
    assert "NewPw99" not in str(event.detail)


def test_viewer_cannot_delete_a_site(admin_and_sites: tuple) -> None:
    _, mine, _ = admin_and_sites
    viewer = make_user()
    make_member(viewer, mine.organization, Role.VIEWER)
    with pytest.raises(Http404):
        services.delete_site(viewer, mine)
    assert Site.objects.filter(pk=mine.pk).exists()
