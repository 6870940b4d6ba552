"""An organization's storage tier: checked, saved and audited here (pages, the admin and the API call this).

The store's address is tenant input that makes the portal's workers connect
somewhere, so it gets the camera-source host rules of ``cameras.hosts``
(resolved; never this machine, a gateway, the portal's services, loopback,
link-local, multicast or reserved addresses), and more: private addresses
are refused too (a cloud store is public; an on-premises one is allowed by
the operator in ``CCTV_STORAGE_EXTRA_ALLOWED_HOSTS``), and plain http only
for a host that list names. No user name, query or fragment, and no path but
an Azure account's. ``check_endpoint`` runs again before every connection
(``recordings.footage.stores``), since a DNS answer can change.

Where footage is (kind, endpoint, bucket, Azure account) cannot change while
segments are still there: the index says only "s3" or "azure" per segment,
and deletion and playback find the bytes through this row. Credentials can
be replaced at any time; an empty credential in a change keeps the stored one.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
from accounts.callers import Visitor
from accounts.models import Organization
from accounts.roles import Action
from accounts.scoping import access
from cameras import hosts
from recordings.footage.models import Segment, StorageTier, Tier

TIER_FIELDS = ("kind", "move_after_hours", "endpoint_url", "region", "bucket", "access_key", "secret_key")
# What names the place footage is in: none may change while footage is there.
LOCATION_FIELDS = ("kind", "endpoint_url", "bucket")

_S3_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_CONTAINER_RE = re.compile(r"^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z0-9]+){1,3}$")
_ACCOUNT_RE = re.compile(r"^[a-z0-9]{3,24}$")
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,512}$")  # printable ASCII, no spaces
_ACCOUNT_PATH_RE = re.compile(r"^(/[a-z0-9]{3,24})?/?$")

ENDPOINT_MESSAGE = (
    "The store's address cannot be this portal's own machines, services or video gateways, or a loopback, "
    "private, link-local, multicast or reserved address; enter the public address of your S3 or Azure store."
)
UNRESOLVED_MESSAGE = "The store's host name could not be found from the portal (DNS); check the address."


def tier_of(organization_id: int) -> StorageTier | None:
    return StorageTier.objects.filter(organization_id=organization_id).first()


# --- checking the endpoint -----------------------------------------------------------------


def check_endpoint(url: str, kind: str) -> str:
    """The endpoint URL normalised (no trailing slash), or ``ValidationError`` (see the module docstring)."""
    if any(ch.isspace() for ch in url) or len(url) > 300:
        raise ValidationError({"endpoint_url": "Enter the store's URL without spaces."})
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # an unclosed IPv6 bracket, a port that is no number or out of range
        raise ValidationError({"endpoint_url": "The store's URL is not valid: check the host and the port "
                                               "(a number from 1 to 65535)."}) from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError({"endpoint_url": "Enter an https:// URL, e.g. https://s3.eu-west-1.amazonaws.com."})
    if parts.username is not None or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValidationError({"endpoint_url": "Enter the store's URL without a user name, query or fragment; "
                                               "credentials go in their own fields."})
    path_ok = parts.path in ("", "/") if kind == Tier.S3 else bool(_ACCOUNT_PATH_RE.match(parts.path))
    if not path_ok:
        raise ValidationError({"endpoint_url": "Enter only the store's address, without a path."})
    port = port or (443 if parts.scheme == "https" else 80)
    operator_allowed = _allowed_by_operator(parts.hostname, port)
    if parts.scheme == "http" and not operator_allowed:
        raise ValidationError({"endpoint_url": "Use https://: footage and credentials must not cross the network "
                                               "in clear text."})
    if not operator_allowed:
        _check_public_host(parts.hostname, port)
    return url.rstrip("/")


def _allowed_by_operator(host: str, port: int) -> bool:
    try:
        return hosts.allowed_by_operator(host, port, settings.CCTV_STORAGE_EXTRA_ALLOWED_HOSTS) is not None
    except hosts.HostRefused:
        return False


def _check_public_host(host: str, port: int) -> None:
    try:
        target = hosts.check_host(host, port, forbidden=hosts.forbidden_targets())
    except hosts.HostRefused as refused:
        message = UNRESOLVED_MESSAGE if refused.code == "unresolved" else ENDPOINT_MESSAGE
        raise ValidationError({"endpoint_url": message}, code=f"endpoint_{refused.code}") from None
    if any(address.is_private for address in target.addresses):
        raise ValidationError({"endpoint_url": ENDPOINT_MESSAGE}, code="endpoint_private")


# --- checking the rest -------------------------------------------------------------------------


def clean_tier(row: StorageTier) -> None:
    """Check a tier row as a whole; raises ``ValidationError`` with per-field messages."""
    row.full_clean(exclude=["organization"])
    for name in ("endpoint_url", "region", "bucket", "access_key", "secret_key"):
        setattr(row, name, (getattr(row, name) or "").strip())
    if row.kind == Tier.LOCAL:
        return
    if row.kind not in (Tier.S3, Tier.AZURE):
        raise ValidationError({"kind": "Choose local, s3 or azure."})
    errors: dict[str, str] = {}
    bucket_re, bucket_words = (_S3_BUCKET_RE, "bucket") if row.kind == Tier.S3 else (_CONTAINER_RE, "container")
    if not bucket_re.match(row.bucket):
        errors["bucket"] = (f"Enter the {bucket_words} name: 3 to 63 lower-case letters, digits and dashes"
                            f"{' (or dots)' if row.kind == Tier.S3 else ''}.")
    if row.kind == Tier.S3 and row.region and not _REGION_RE.match(row.region):
        errors["region"] = "Enter an S3 region such as eu-west-1, or leave it empty."
    if row.kind == Tier.AZURE and not _ACCOUNT_RE.match(row.access_key):
        errors["access_key"] = "Enter the storage account name: 3 to 24 lower-case letters and digits."
    if row.kind == Tier.S3 and not _KEY_RE.match(row.access_key):
        errors["access_key"] = "Enter the access key id."
    if not _KEY_RE.match(row.secret_key):
        errors["secret_key"] = "Enter the secret key (it is stored encrypted and never shown again)."  # noqa: S105
    if errors:
        raise ValidationError(errors)
    if row.endpoint_url:
        row.endpoint_url = check_endpoint(row.endpoint_url, row.kind)


def _location(row: StorageTier | None) -> tuple[str, ...]:
    if row is None:
        return (Tier.LOCAL, "", "")
    location = tuple(getattr(row, name) for name in LOCATION_FIELDS)
    return (*location, row.access_key) if row.kind == Tier.AZURE else location


def _refuse_moving_footage(before: StorageTier | None, after: StorageTier) -> None:
    if before is None or not before.is_remote or _location(before) == _location(after):
        return
    left = Segment.objects.filter(organization_id=after.organization_id, tier=before.kind).count()
    if left:
        raise ValidationError({"kind": f"{left} segments are stored in the current {before.get_kind_display()} "
                                       "store; its kind, address, bucket and account can change only once "
                                       "retention has removed them."})


# --- the service -------------------------------------------------------------------------------


@transaction.atomic
def update_tier(user: Visitor, organization_id: Any, *, ip: str | None = None, **values: Any) -> StorageTier:
    """Change an organization's storage tier (``manage``, unrestricted). Audit: ``recording.tier`` (no secrets)."""
    organization: Organization = access(Organization, user, organization_id, Action.MANAGE)
    unknown = set(values) - set(TIER_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown settings: {', '.join(sorted(unknown))}.")
    before = StorageTier.objects.select_for_update().filter(organization=organization).first()
    row = tier_of(organization.pk) or StorageTier(organization=organization)
    for name in ("access_key", "secret_key"):
        if not values.get(name) and before is not None and getattr(before, name):
            values.pop(name, None)  # empty: keep the stored credential
    for name, value in values.items():
        setattr(row, name, "" if value is None and name != "move_after_hours" else value)
    clean_tier(row)
    _refuse_moving_footage(before, row)
    row.move_failures, row.move_error, row.move_retry_at = 0, "", None  # a new configuration gets a fresh try
    row.save()
    audit.record(user, "recording.tier", organization=organization, target=organization, ip=ip,
                 changed=sorted(values), kind=row.kind)
    return row
