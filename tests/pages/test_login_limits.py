"""Failed-login limits: per account and client address, with a slower backstop per account.

Regression (issue 10): after five wrong passwords for an account, from any
address, the right password was refused from every address for about five
minutes, so anyone could lock anyone out.
"""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.conftest import World

ATTACKER = "203.0.113.66"
OWNER_AT_HOME = "198.51.100.7"
TOO_MANY = "Too many failed login attempts"


def attempt(address: str, email: str, password: str) -> tuple[Client, bool]:
    """One login through the real form from ``address``; whether it signed in."""
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    return client, response.status_code == 302


def refused_for_too_many(address: str, email: str, password: str) -> bool:
    response = Client(REMOTE_ADDR=address).post(reverse("account_login"), {"login": email, "password": password})
    return response.status_code == 200 and TOO_MANY in response.content.decode()


def test_failures_from_elsewhere_do_not_lock_the_owner_out(world: World) -> None:
    for _ in range(6):
        attempt(ATTACKER, world.viewer.email, "wrong-guess-123")

    _, signed_in = attempt(OWNER_AT_HOME, world.viewer.email, world.password)

    assert signed_in


def test_the_address_that_failed_is_slowed_down_for_that_account(world: World) -> None:
    for _ in range(5):
        attempt(ATTACKER, world.viewer.email, "wrong-guess-123")

    assert refused_for_too_many(ATTACKER, world.viewer.email, world.password)
    # Other accounts from the same address are limited only by the per-address rate.
    _, signed_in = attempt(ATTACKER, world.operator.email, world.password)
    assert signed_in


def test_guessing_spread_over_many_addresses_hits_the_account_backstop(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed_account": "8/h/key"}
    for n in range(8):
        attempt(f"203.0.113.{n + 1}", world.viewer.email, "wrong-guess-123")

    assert refused_for_too_many(OWNER_AT_HOME, world.viewer.email, world.password)
    _, other_signed_in = attempt(OWNER_AT_HOME, world.operator.email, world.password)
    assert other_signed_in


def test_successful_logins_do_not_count_towards_the_backstop(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed_account": "2/h/key"}

    signed_in = [attempt(OWNER_AT_HOME, world.viewer.email, world.password)[1] for _ in range(3)]

    assert signed_in == [True, True, True]
