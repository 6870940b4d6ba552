"""The caller questions: a person and an API token answer them differently, nobody answers none."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.audit import SYSTEM, record
from accounts.callers import TokenPrincipal, is_token, person_of, token_of
from accounts.models import APIToken, User
from accounts.roles import Role
from accounts.scoping import Grant
from tests.support.factories import make_organization, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def principal() -> TokenPrincipal:
    organization = make_organization()
    token = APIToken.objects.create(
        organization=organization, name="nvr", role=Role.VIEWER, prefix="abcd1234", key_hash="1" * 64,
        created_by=make_user(),
    )
    return TokenPrincipal(token, Grant(organization.pk, Role.VIEWER))


def test_a_person_is_the_person_and_no_token() -> None:
    person = make_user()
    assert person_of(person) == person
    assert token_of(person) is None
    assert not is_token(person)


def test_a_token_is_its_token_and_no_person(principal: TokenPrincipal) -> None:
    assert is_token(principal)
    assert token_of(principal) == principal.api_token
    # Even though the token's creator is a person: the token, not they, is calling.
    assert person_of(principal) is None


@pytest.mark.parametrize("nobody", [None, AnonymousUser()])
def test_nobody_is_neither_person_nor_token(nobody: AnonymousUser | None) -> None:
    assert person_of(nobody) is None
    assert token_of(nobody) is None
    assert not is_token(nobody)


def test_an_unsaved_user_is_no_person_to_name() -> None:
    assert person_of(User(email="draft@example.test")) is None


def test_audit_names_the_person_as_actor_and_a_token_by_label(principal: TokenPrincipal) -> None:
    person = make_user()
    by_person = record(person, "test.person", organization=None)
    by_token = record(principal, "test.token", organization=None)
    by_portal = record(SYSTEM, "test.portal", organization=None)
    assert (by_person.actor, by_person.actor_label) == (person, str(person))
    assert (by_token.actor, by_token.actor_label) == (None, "API token nvr (abcd1234)")
    assert (by_portal.actor, by_portal.actor_label) == (None, "portal (automatic)")
