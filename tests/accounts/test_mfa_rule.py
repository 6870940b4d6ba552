"""The organization's "require two-factor" rule, at the gate and at every HTTP entry point.

Regression (issue 10): the rule used to live only in a page middleware, so
the sockets (tests/signaling/test_mfa_sockets.py, tests/live/test_mfa_sockets.py)
streamed video and alerts to a member who had never set up MFA. The rule now
lives in the access gate: such a member has no rights anywhere, and the
entry points only choose how to say so.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.http import Http404
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.roles import Action
from accounts.scoping import (
    MFAEnrolmentRequired,
    access,
    check_mfa,
    grants_for,
    mfa_enrolment_pending,
)
from cameras.models import Camera
from recordings.models import Clip, MotionEvent
from tests.conftest import World
from tests.recordings.helpers import make_clip
from tests.recordings.motion_helpers import make_event
from tests.support.factories import make_member, make_user

TOTP_SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture
def mfa_required(world: World) -> World:
    world.org_a.require_mfa = True
    world.org_a.save()
    return world


# --- the gate ------------------------------------------------------------------------------


def test_a_member_without_an_authenticator_has_no_rights_anywhere(mfa_required: World) -> None:
    w = mfa_required
    clip, event = make_clip(w.camera_a1), make_event(w.camera_a1)

    assert mfa_enrolment_pending(w.viewer)
    assert grants_for(w.viewer) == []
    assert not Camera.objects.for_user(w.viewer, Action.VIEW).exists()
    assert not Clip.objects.for_user(w.viewer, Action.VIEW).exists()
    for model, public_id in ((Camera, w.camera_a1.public_id), (Clip, clip.public_id),
                             (MotionEvent, event.public_id)):
        with pytest.raises(Http404):
            access(model, w.viewer, public_id)
    with pytest.raises(MFAEnrolmentRequired):
        check_mfa(w.viewer)


def test_the_rule_covers_every_organization_of_the_member(mfa_required: World) -> None:
    # Org B does not require MFA, but its member is also in Org A, which does:
    # as on the pages, nothing is reachable until the app is set up.
    make_member(mfa_required.admin_b, mfa_required.org_a)

    assert grants_for(mfa_required.admin_b) == []
    assert not Camera.objects.for_user(mfa_required.admin_b).filter(pk=mfa_required.camera_b.pk).exists()


def test_setting_up_an_authenticator_restores_the_rights(mfa_required: World) -> None:
    TOTP.activate(mfa_required.viewer, generate_totp_secret())

    assert not mfa_enrolment_pending(mfa_required.viewer)
    assert access(Camera, mfa_required.viewer, mfa_required.camera_a1.public_id) == mfa_required.camera_a1


def test_a_superuser_member_is_held_to_the_rule_too(mfa_required: World) -> None:
    root = make_user(is_staff=True, is_superuser=True)
    make_member(root, mfa_required.org_a)

    assert not Camera.objects.for_user(root).exists()
    TOTP.activate(root, generate_totp_secret())
    assert Camera.objects.for_user(root).count() == Camera.objects.count()


def test_members_of_other_organizations_keep_their_rights(mfa_required: World) -> None:
    assert not mfa_enrolment_pending(mfa_required.admin_b)
    assert access(Camera, mfa_required.admin_b, mfa_required.camera_b.public_id) == mfa_required.camera_b


# --- HTTP entry points: pages, API with a session, downloads and snapshots -----------------------


def test_pages_send_the_member_to_set_up_mfa(mfa_required: World, client_for: Callable[..., Client]) -> None:
    client = client_for(mfa_required.viewer)
    camera = mfa_required.camera_a1.public_id

    for url in (reverse("dashboard"), reverse("live_grid"), reverse("camera_detail", args=[camera]),
                reverse("live_access", args=[camera])):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, TOTP_SETUP), url


def test_the_api_with_a_session_answers_403_with_the_reason(mfa_required: World) -> None:
    client = APIClient()
    client.force_login(mfa_required.admin)

    for url in ("/api/v1/cameras/", f"/api/v1/cameras/{mfa_required.camera_a1.public_id}/", "/api/v1/members/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "two-factor" in response.json()["detail"]


def test_downloads_and_snapshots_are_not_served(mfa_required: World, client_for: Callable[..., Client]) -> None:
    w = mfa_required
    clip, event = make_clip(w.camera_a1), make_event(w.camera_a1)
    client = client_for(w.viewer)

    for url in (reverse("clip_download", args=[clip.public_id]), reverse("motion_snapshot", args=[event.public_id]),
                reverse("camera_snapshot", args=[w.camera_a1.public_id])):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, TOTP_SETUP), url
        assert not getattr(response, "streaming", False)


def test_the_setup_pages_stay_reachable(mfa_required: World, client_for: Callable[..., Client]) -> None:
    client = client_for(mfa_required.viewer)

    for url in (reverse("mfa_index"), reverse("account_email"), reverse("account_logout")):
        assert client.get(url).status_code == 200, url
