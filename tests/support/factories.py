"""Small builders for test data. Each takes only what matters to a test.

Names and e-mail addresses get a running number so builders can be called
any number of times in one test.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from accounts.models import Membership, Organization, User
from accounts.roles import Role
from cameras.models import Camera, Site

PASSWORD = "Corr3ct-Horse-Battery"
CAMERA_SOURCE = "rtsp://admin:Secr3tPass@192.168.1.64:554/Streaming/Channels/101"
CAMERA_SUB_SOURCE = "rtsp://admin:Secr3tPass@192.168.1.64:554/Streaming/Channels/102"

_sequence = itertools.count(1)


def _next() -> int:
    return next(_sequence)


def make_organization(name: str | None = None, **fields: Any) -> Organization:
    return Organization.objects.create(name=name or f"Organization {_next()}", **fields)


def make_user(email: str | None = None, password: str = PASSWORD, **fields: Any) -> User:
    """A user who can log in with ``password`` (``tests.support.factories.PASSWORD`` by default)."""
    return User.objects.create_user(email=email or f"user{_next()}@example.test", password=password, **fields)


def make_member(
    user: User,
    organization: Organization,
    role: str = Role.VIEWER,
    sites: Iterable[Site] = (),
    cameras: Iterable[Camera] = (),
) -> Membership:
    """Give ``user`` a role in ``organization``, optionally limited to some sites or cameras."""
    membership = Membership.objects.create(user=user, organization=organization, role=role)
    if sites:
        membership.sites.set(sites)
    if cameras:
        membership.cameras.set(cameras)
    return membership


def make_site(organization: Organization, name: str | None = None, **fields: Any) -> Site:
    return Site.objects.create(organization=organization, name=name or f"Site {_next()}", **fields)


def make_camera(
    site: Site,
    name: str | None = None,
    main_source: str = CAMERA_SOURCE,
    **fields: Any,
) -> Camera:
    """A camera saved straight to the database (no source validation, no gateway sync)."""
    return Camera.objects.create(site=site, name=name or f"Camera {_next()}", main_source=main_source, **fields)


def session_id(user: User) -> str:
    """A fresh session key that signs ``user`` in (the ``sessionid`` cookie's value), for real clients."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value
