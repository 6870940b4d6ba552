"""The access gate: who sees which organization, site and camera, for which action."""

import uuid

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.api_auth import TokenPrincipal
from accounts.models import APIToken, Organization
from accounts.roles import ROLE_ACTIONS, Action, Role
from accounts.scoping import Grant, ScopedQuerySet, access, grants_for, scope_of, scope_q
from cameras.models import Camera, Gateway, Site
from tests.support.factories import make_camera, make_member, make_organization, make_site, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_orgs() -> dict:
    org_a, org_b = make_organization("Org A"), make_organization("Org B")
    site_a1, site_a2, site_b = make_site(org_a, "A1"), make_site(org_a, "A2"), make_site(org_b, "B1")
    return {
        "org_a": org_a,
        "org_b": org_b,
        "site_a1": site_a1,
        "site_a2": site_a2,
        "site_b": site_b,
        "cam_a1": make_camera(site=site_a1, name="a1"),
        "cam_a2": make_camera(site=site_a2, name="a2"),
        "cam_b": make_camera(site=site_b, name="b"),
    }


def _member(org: Organization, role: str, **restrictions: object):
    user = make_user()
    make_member(user, org, role, **restrictions)
    return user


def test_role_table_is_the_documented_one() -> None:
    assert ROLE_ACTIONS[Role.VIEWER] == {Action.VIEW}
    assert ROLE_ACTIONS[Role.OPERATOR] == {Action.VIEW, Action.CONTROL, Action.EXPORT, Action.ACKNOWLEDGE}
    assert ROLE_ACTIONS[Role.ADMIN] == ROLE_ACTIONS[Role.OWNER] == set(Action.values)


@pytest.mark.parametrize("role", Role.values)
def test_member_sees_only_own_organization_cameras(two_orgs: dict, role: str) -> None:
    user = _member(two_orgs["org_a"], role)
    visible = set(Camera.objects.for_user(user, Action.VIEW))
    assert visible == {two_orgs["cam_a1"], two_orgs["cam_a2"]}


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        (Role.VIEWER, Action.CONTROL, False),
        (Role.VIEWER, Action.EXPORT, False),
        (Role.VIEWER, Action.MANAGE, False),
        (Role.OPERATOR, Action.CONTROL, True),
        (Role.OPERATOR, Action.EXPORT, True),
        (Role.OPERATOR, Action.MANAGE, False),
        (Role.ADMIN, Action.MANAGE, True),
        (Role.OWNER, Action.MANAGE, True),
    ],
)
def test_actions_follow_the_role_table(two_orgs: dict, role: str, action: str, allowed: bool) -> None:
    user = _member(two_orgs["org_a"], role)
    assert Camera.objects.for_user(user, action).filter(pk=two_orgs["cam_a1"].pk).exists() is allowed


def test_site_restriction_limits_cameras_and_sites(two_orgs: dict) -> None:
    user = _member(two_orgs["org_a"], Role.VIEWER, sites=[two_orgs["site_a1"]])
    assert list(Camera.objects.for_user(user)) == [two_orgs["cam_a1"]]
    assert list(Site.objects.for_user(user)) == [two_orgs["site_a1"]]


def test_camera_restriction_shows_that_camera_and_its_site(two_orgs: dict) -> None:
    user = _member(two_orgs["org_a"], Role.OPERATOR, cameras=[two_orgs["cam_a2"]])
    assert list(Camera.objects.for_user(user, Action.CONTROL)) == [two_orgs["cam_a2"]]
    assert list(Site.objects.for_user(user)) == [two_orgs["site_a2"]]


def test_restricted_member_does_not_reach_organization_wide_rows(two_orgs: dict) -> None:
    user = _member(two_orgs["org_a"], Role.VIEWER, sites=[two_orgs["site_a1"]])
    assert not APIToken.objects.for_user(user).exists()
    from accounts.models import Membership

    assert not Membership.objects.for_user(user).exists()


def test_restriction_to_a_foreign_site_grants_nothing_there(two_orgs: dict) -> None:
    # Defence in depth: even a corrupt restriction row cannot cross tenants.
    user = _member(two_orgs["org_a"], Role.VIEWER)
    membership = user.memberships.get()
    membership.sites.add(two_orgs["site_b"])
    assert two_orgs["cam_b"] not in Camera.objects.for_user(user)


def test_member_of_two_organizations_sees_both(two_orgs: dict) -> None:
    user = _member(two_orgs["org_a"], Role.VIEWER)
    make_member(user, two_orgs["org_b"], Role.ADMIN)
    assert Camera.objects.for_user(user).count() == 3
    assert list(Camera.objects.for_user(user, Action.MANAGE)) == [two_orgs["cam_b"]]


def test_anonymous_and_inactive_users_see_nothing(two_orgs: dict) -> None:
    inactive = _member(two_orgs["org_a"], Role.OWNER)
    inactive.is_active = False
    inactive.save()
    for user in (AnonymousUser(), inactive, None):
        assert not Camera.objects.for_user(user).exists()
        assert grants_for(user) == []


def test_superuser_sees_everything(two_orgs: dict) -> None:
    root = make_user(is_superuser=True, is_staff=True)
    assert Camera.objects.for_user(root, Action.MANAGE).count() == 3


def test_token_principal_acts_in_its_organization_with_its_role(two_orgs: dict) -> None:
    token = APIToken.objects.create(
        organization=two_orgs["org_a"], name="nvr", role=Role.VIEWER, prefix="abcd1234", key_hash="0" * 64
    )
    principal = TokenPrincipal(token, Grant(organization_id=token.organization_id, role=token.role))
    assert set(Camera.objects.for_user(principal)) == {two_orgs["cam_a1"], two_orgs["cam_a2"]}
    assert not Camera.objects.for_user(principal, Action.MANAGE).exists()


def test_access_to_a_camera_gives_the_same_404_for_missing_foreign_and_malformed(two_orgs: dict) -> None:
    user = _member(two_orgs["org_a"], Role.OWNER)
    messages = set()
    for public_id in (two_orgs["cam_b"].public_id, uuid.uuid4(), "not-a-uuid", None):
        with pytest.raises(Http404) as caught:
            access(Camera, user, public_id)
        messages.add(str(caught.value))
    assert len(messages) == 1


def test_access_to_a_camera_refuses_a_visible_camera_for_a_forbidden_action(two_orgs: dict) -> None:
    viewer = _member(two_orgs["org_a"], Role.VIEWER)
    assert access(Camera, viewer, two_orgs["cam_a1"].public_id) == two_orgs["cam_a1"]
    with pytest.raises(PermissionDenied):
        access(Camera, viewer, two_orgs["cam_a1"].public_id, Action.MANAGE)


def test_access_to_a_site_hides_foreign_sites(two_orgs: dict) -> None:
    admin = _member(two_orgs["org_a"], Role.ADMIN)
    with pytest.raises(Http404):
        access(Site, admin, two_orgs["site_b"].public_id, Action.MANAGE)


def _tenant_models() -> list[type]:
    return [model for model in apps.get_models() if isinstance(model._default_manager.all(), ScopedQuerySet)]


def test_every_tenant_model_declares_a_scope_whose_paths_exist() -> None:
    limited = Grant(organization_id=1, role=Role.VIEWER, site_ids=frozenset({1}), camera_ids=frozenset({2}))
    whole = Grant(organization_id=1, role=Role.VIEWER)

    for model in _tenant_models():
        scope_of(model)
        for grant in (limited, whole):
            model._base_manager.filter(scope_q(model, grant)).exists()  # a wrong path raises FieldError

    names = {model.__name__ for model in _tenant_models()}
    assert {"Organization", "Site", "Camera", "Clip", "ExportBundle", "Segment"} <= names


def test_a_model_without_a_scope_is_not_tenant_data_to_the_gate() -> None:
    with pytest.raises(TypeError, match="declares no"):
        scope_of(Gateway)


def test_access_names_organizations_by_pk_and_gives_the_same_404_for_bad_ids(two_orgs: dict) -> None:
    admin = _member(two_orgs["org_a"], Role.ADMIN)

    assert access(Organization, admin, two_orgs["org_a"].pk) == two_orgs["org_a"]
    for key in (two_orgs["org_b"].pk, "not-a-number", None, 987654):
        with pytest.raises(Http404):
            access(Organization, admin, key)
