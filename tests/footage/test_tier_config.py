"""Storage tier settings: endpoints checked (no internal hosts), credentials encrypted and never shown back."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from cameras import hosts
from recordings.footage import tier_config
from recordings.footage.models import Segment, StorageTier, Tier
from tests.api.conftest import API
from tests.conftest import World
from tests.footage.helpers import add

pytestmark = pytest.mark.django_db
Api = Callable[[str], APIClient]
SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"
# What the fake resolver answers: a public address, a private one, the metadata service, loopback.
NAMES = {"s3.store.test": ["52.95.110.1"], "internal.store.test": ["10.20.30.40"],
         "metadata.store.test": ["169.254.169.254"], "rebound.store.test": ["52.95.110.1", "127.0.0.1"]}


@pytest.fixture(autouse=True)
def resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def lookup(name: str) -> list[str]:
        if name in NAMES:
            return NAMES[name]
        raise OSError("no such name")

    monkeypatch.setattr(hosts, "lookup", lookup)
    yield


def s3_values(**changes: object) -> dict[str, object]:
    return {"kind": Tier.S3, "move_after_hours": 6, "endpoint_url": "https://s3.store.test", "region": "eu-west-1",
            "bucket": "cctv-footage", "access_key": "AKIAEXAMPLE", "secret_key": SECRET, **changes}


def tier_url(organization) -> str:  # type: ignore[no-untyped-def]
    return f"{API}/organizations/{organization.pk}/storage/tier/"


@pytest.mark.parametrize("endpoint", [
    "https://127.0.0.1:9000", "https://localhost", "https://[::1]", "https://0x7f000001", "https://2130706433",
    "https://169.254.169.254", "https://metadata.store.test", "https://10.1.2.3", "https://192.168.1.10",
    "https://internal.store.test", "https://rebound.store.test", "https://unknown.store.test",
    "http://s3.store.test", "ftp://s3.store.test", "https://user:pw@s3.store.test", "https://s3.store.test/x/..",
    "https://s3.store.test?x=1", "https://s3.store.test:99999", "https://[::ffff:127.0.0.1]", "https://[::1",
    "https://s3.store.test:x", "https://%31%32%37.0.0.1", "https://s3.store.test#frag", "//s3.store.test",
])  # fmt: skip
def test_endpoints_that_would_reach_internal_hosts_are_refused(world: World, endpoint: str) -> None:
    with pytest.raises(ValidationError) as refused:
        tier_config.update_tier(world.owner, world.org_a.pk, **s3_values(endpoint_url=endpoint))

    assert "endpoint_url" in refused.value.message_dict
    assert not StorageTier.objects.exists()


def test_the_portal_own_services_and_gateways_are_refused(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.GO2RTC_API_URL = "http://s3.store.test:1984"  # a gateway at the store's public address

    with pytest.raises(ValidationError):
        tier_config.update_tier(world.owner, world.org_a.pk, **s3_values())


def test_a_public_https_store_is_accepted_and_an_operator_allowed_host_may_use_http(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    row = tier_config.update_tier(world.owner, world.org_a.pk, **s3_values(endpoint_url="https://s3.store.test/"))
    assert (row.kind, row.endpoint_url) == (Tier.S3, "https://s3.store.test")

    settings.CCTV_STORAGE_EXTRA_ALLOWED_HOSTS = ["127.0.0.1:9000"]
    row = tier_config.update_tier(world.admin_b, world.org_b.pk, **s3_values(endpoint_url="http://127.0.0.1:9000"))
    assert row.endpoint_url == "http://127.0.0.1:9000"
    with pytest.raises(ValidationError):  # the port matters
        tier_config.update_tier(world.admin_b, world.org_b.pk, **s3_values(endpoint_url="http://127.0.0.1:9001"))


def test_credentials_are_encrypted_at_rest(world: World) -> None:
    tier_config.update_tier(world.owner, world.org_a.pk, **s3_values())

    with connection.cursor() as cursor:
        cursor.execute("SELECT access_key, secret_key FROM footage_storagetier")
        stored = cursor.fetchone()
    assert all(value.startswith("gAAAA") for value in stored) and SECRET not in "".join(stored)
    assert StorageTier.objects.get().secret_key == SECRET


def test_the_api_never_shows_credentials_and_an_empty_secret_keeps_the_stored_one(world: World, api_as: Api) -> None:
    response = api_as("admin").put(tier_url(world.org_a), s3_values(), format="json")

    assert response.status_code == 200, response.content
    assert SECRET not in response.content.decode() and "AKIAEXAMPLE" not in response.content.decode()
    assert response.json()["has_credentials"] is True
    changed = api_as("admin").patch(tier_url(world.org_a), {"move_after_hours": 12, "secret_key": ""}, format="json")
    assert changed.status_code == 200 and changed.json()["move_after_hours"] == 12
    assert StorageTier.objects.get().secret_key == SECRET
    assert SECRET not in api_as("owner").get(tier_url(world.org_a)).content.decode()
    event = AuditEvent.objects.filter(action="recording.tier").latest("pk")
    assert SECRET not in str(event.detail)


def test_the_api_refuses_an_internal_endpoint_with_a_clear_400(world: World, api_as: Api) -> None:
    response = api_as("admin").put(tier_url(world.org_a), s3_values(endpoint_url="https://169.254.169.254"),
                                   format="json")

    assert response.status_code == 400
    assert "loopback, private, link-local" in str(response.json())
    assert not StorageTier.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("admin_b", 404), ("token_b", 404), ("outsider", 404),
                                             ("viewer", 403), ("anonymous", 401)])
def test_only_the_organization_owners_and_admins_reach_its_tier(world: World, api_as: Api, who: str,
                                                                status: int) -> None:
    tier_config.update_tier(world.owner, world.org_a.pk, **s3_values())

    assert api_as(who).get(tier_url(world.org_a)).status_code == status
    assert api_as(who).patch(tier_url(world.org_a), {"bucket": "theirs"}, format="json").status_code == status
    assert StorageTier.objects.get().bucket == "cctv-footage"


def test_options_describes_the_tier_to_its_admins_and_hides_it_from_others(world: World, api_as: Api) -> None:
    answer = api_as("admin").options(tier_url(world.org_a))  # answered 500 before get_object was defined

    assert answer.status_code == 200 and "secret_key" in str(answer.json()["actions"]["PUT"])
    foreign = api_as("admin_b").options(tier_url(world.org_a))  # DRF leaves out what the gate refuses
    assert foreign.status_code == 200 and "actions" not in foreign.json()


def test_where_footage_is_cannot_change_while_footage_is_there(world: World) -> None:
    tier_config.update_tier(world.owner, world.org_a.pk, **s3_values())
    segment = add(world.camera_a1, timezone.now())
    Segment.objects.filter(pk=segment.pk).update(tier=Tier.S3)

    with pytest.raises(ValidationError, match="segments are stored"):
        tier_config.update_tier(world.owner, world.org_a.pk, bucket="another-bucket")
    with pytest.raises(ValidationError, match="segments are stored"):
        tier_config.update_tier(world.owner, world.org_a.pk, kind=Tier.LOCAL)
    tier_config.update_tier(world.owner, world.org_a.pk, secret_key="rotated-secret")  # rotating is fine
    assert StorageTier.objects.get().secret_key == "rotated-secret"


def test_the_admin_form_never_renders_credentials_and_keeps_them_when_left_empty(world: World, client) -> None:  # type: ignore[no-untyped-def]
    tier_config.update_tier(world.owner, world.org_a.pk, **s3_values())
    client.force_login(world.admin)
    url = reverse("admin:footage_storagetier_change", args=[world.org_a.pk])

    page = client.get(url).content.decode()
    assert SECRET not in page and "AKIAEXAMPLE" not in page
    response = client.post(url, {**s3_values(move_after_hours=48), "access_key": "", "secret_key": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    row = StorageTier.objects.get()
    assert (row.move_after_hours, row.access_key, row.secret_key) == (48, "AKIAEXAMPLE", SECRET)
    foreign = tier_config.update_tier(world.admin_b, world.org_b.pk, **s3_values())
    assert client.get(reverse("admin:footage_storagetier_change", args=[foreign.pk])).status_code == 404
    refused = client.post(url, {**s3_values(endpoint_url="https://10.1.2.3")})
    assert refused.status_code == 200 and "endpoint_url" in refused.context["adminform"].form.errors
