"""Creating, changing and deleting sites and cameras.

Pages, the admin and the API all come here. Each write validates its input,
re-checks inside the transaction that the acting user may manage the rows it
touches (a foreign site id is refused as if it did not exist), and writes an
audit event in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from accounts import audit
from accounts.callers import Visitor
from accounts.models import Organization
from accounts.roles import Action
from accounts.scoping import require_visible
from cameras import hosts
from cameras.gateways import least_loaded_gateway
from cameras.models import Camera, Gateway, PTZCapabilities, Site
from cameras.ptz.onvif.backoff import forget_backoff
from cameras.sources import check_camera_source
from portal.events import publish_scope_changed
from portal.work import enqueue

SECRET_CAMERA_FIELDS = frozenset({"main_source", "sub_source", "onvif_username", "onvif_password"})
CAMERA_FIELDS = frozenset(
    {"name", "main_source", "sub_source", "onvif_host", "onvif_port", "onvif_username", "onvif_password", "enabled"}
)
SITE_FIELDS = frozenset({"name", "address", "timezone"})
ONVIF_FIELDS = frozenset({"onvif_host", "onvif_port", "onvif_username", "onvif_password"})
DEFAULT_ONVIF_PORT = 80
ONVIF_HOST_MESSAGES = {
    "host": "This is not a valid host name or IP address.",
    "unresolved": "The ONVIF host name could not be found from the portal (DNS); check the name or enter the "
                  "camera's IP address.",
}
ONVIF_ADDRESS_MESSAGE = (
    "The ONVIF host cannot be this portal's own machines or video gateways, or a loopback, link-local, "
    "multicast or reserved address; enter the camera's own address."
)


def clean_camera_changes(changes: dict[str, Any], current: Camera | None = None) -> dict[str, Any]:
    """Validate camera fields given by any entry point; returns them normalised.

    ``current`` is the camera being changed: a new ONVIF port is checked
    together with the host it already has, and the other way round.
    """
    unknown = set(changes) - CAMERA_FIELDS
    if unknown:
        raise ValueError(f"unknown camera fields: {sorted(unknown)}")
    cleaned = dict(changes)
    errors: dict[str, list[ValidationError]] = {}
    for field in ("main_source", "sub_source"):
        if field not in cleaned or (field == "sub_source" and not cleaned[field]):
            continue
        try:
            cleaned[field] = check_camera_source(cleaned[field])
        except ValidationError as exc:
            errors[field] = exc.error_list
    if {"onvif_host", "onvif_port"} & set(cleaned):
        host = cleaned.get("onvif_host", current.onvif_host if current else "")
        port = cleaned.get("onvif_port", current.onvif_port if current else DEFAULT_ONVIF_PORT)
        try:
            if host:
                cleaned["onvif_host"] = check_onvif_host(host, port)
        except ValidationError as exc:
            errors["onvif_host"] = exc.error_list
    if errors:
        raise ValidationError(errors)
    return cleaned


def check_onvif_host(host: str, port: int) -> str:
    """A bare host name or IP address a worker may send ONVIF requests to; returned normalised.

    The same host rules as camera sources (``cameras.hosts``): resolved, and
    never this machine, a gateway, a loopback, link-local, multicast or
    unspecified address unless the operator allows exactly that ``host`` or
    ``host:port`` in ``CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS``, since a tenant must
    not make workers talk to services on their own machine. Workers check it
    again before every call (``cameras.ptz.onvif``).
    """
    value = host.strip() if isinstance(host, str) else ""
    if not value or len(value) > 253 or any(ch.isspace() for ch in host):
        raise ValidationError("Enter the camera's host name or IP address, without spaces.", code="onvif_host")
    if any(mark in value for mark in ("/", "@", "?", "#")):
        raise ValidationError("Enter only the host name or IP address, without http:// or a path.", code="onvif_host")
    if ":" in value and hosts.parse_ip(value) is None:
        raise ValidationError("This is not a valid host name or IP address. Put the port in the ONVIF port field.",
                              code="onvif_host")
    try:
        target = hosts.check_host(value, port, forbidden=hosts.forbidden_targets(),
                                  extra_allowed=settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS)
    except hosts.HostRefused as refused:
        raise ValidationError(ONVIF_HOST_MESSAGES.get(refused.code, ONVIF_ADDRESS_MESSAGE),
                              code=f"onvif_{refused.code}") from None
    return target.host


def _save_camera(camera: Camera) -> None:
    camera.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            camera.save()
    except IntegrityError:
        raise ValidationError({"name": ["A camera with this name already exists on this site."]}) from None


def _changed_fields(instance: Any, changes: dict[str, Any]) -> list[str]:
    return sorted(field for field, value in changes.items() if getattr(instance, field) != value)


@transaction.atomic
def create_camera(user: Visitor, site: Site, *, ip: str | None = None, **fields: Any) -> Camera:
    """Create a camera on a site the user manages. Audit: ``camera.create``."""
    fields = clean_camera_changes(fields)
    require_visible(user, site, Action.MANAGE)
    try:
        gateway = least_loaded_gateway()
    except Gateway.DoesNotExist:
        raise ValidationError("No video gateway is available for new cameras; ask the platform operator.") from None
    camera = Camera(site=site, gateway=gateway, **fields)
    _save_camera(camera)
    audit.record(user, "camera.create", organization=site.organization_id, target=camera, ip=ip)
    _after_camera_change(camera)
    if camera.has_onvif:
        enqueue("cameras.tasks.refresh_ptz_capabilities", camera.pk)
    return camera


def _after_camera_change(camera: Camera) -> None:
    """Once committed: put the camera's streams on its gateway, refresh live scopes."""
    enqueue("cameras.tasks.sync_camera_streams", camera.pk)
    publish_scope_changed(organization_id=camera.site.organization_id)


def _after_camera_removal(camera: Camera, gateway_id: int | None) -> None:
    if gateway_id is not None:
        enqueue("cameras.tasks.remove_camera_streams", gateway_id, str(camera.public_id))
    publish_scope_changed(organization_id=camera.site.organization_id)


@transaction.atomic
def update_camera(
    user: Visitor, camera: Camera, *, site: Site | None = None, ip: str | None = None, **changes: Any
) -> Camera:
    """Apply the given changes (absent fields are kept). Audit: ``camera.update``.

    Moving to another site needs ``manage`` on both sites; secret fields are
    named in the audit detail but their values never are.
    """
    changes = clean_camera_changes(changes, current=camera)
    camera = Camera.objects.select_for_update().get(pk=camera.pk)
    require_visible(user, camera, Action.MANAGE)
    changed = _changed_fields(camera, changes)
    onvif_before = _onvif_login(camera)
    if site is not None and site.pk != camera.site_id:
        require_visible(user, site, Action.MANAGE)
        changed.append("site")
        camera.site = site
    for field, value in changes.items():
        setattr(camera, field, value)
    _save_camera(camera)
    audit.record(user, "camera.update", organization=camera.site.organization_id, target=camera, ip=ip,
                 changed=changed)
    _after_camera_change(camera)
    if ONVIF_FIELDS.intersection(changed):
        _forget_onvif_failures(camera, onvif_before, _onvif_login(camera))
        enqueue("cameras.tasks.refresh_ptz_capabilities", camera.pk)
    return camera


def _onvif_login(camera: Camera) -> tuple[str, int | None, str, str]:
    return camera.onvif_host or "", camera.onvif_port, camera.onvif_username or "", camera.onvif_password or ""


def _forget_onvif_failures(camera: Camera, *logins: tuple[str, int | None, str, str]) -> None:
    """New ONVIF settings are tried afresh: no back-off left from the old ones (nor from earlier ones that
    come back, such as a port changed and changed back), and presets may be deletable on this device."""
    for login in logins:
        forget_backoff(*login)
    PTZCapabilities.objects.filter(camera=camera).update(remove_presets=True, remove_presets_refusal="")


@transaction.atomic
def move_camera_to_gateway(user: Visitor, camera: Camera, gateway: Gateway, *, ip: str | None = None) -> Camera:
    """Put a camera on another gateway. Gateways are shared infrastructure: superusers only."""
    if not user.is_superuser:
        raise Http404("Not found.")
    camera = Camera.objects.select_for_update().select_related("site").get(pk=camera.pk)
    old_gateway_id = camera.gateway_id
    if old_gateway_id == gateway.pk:
        return camera
    camera.gateway = gateway
    camera.save(update_fields=["gateway", "updated_at"])
    audit.record(user, "camera.move_gateway", organization=camera.site.organization_id, target=camera, ip=ip,
                 gateway=gateway.name)
    if old_gateway_id is not None:
        enqueue("cameras.tasks.remove_camera_streams", old_gateway_id, str(camera.public_id))
    _after_camera_change(camera)
    return camera


@transaction.atomic
def delete_camera(user: Visitor, camera: Camera, *, ip: str | None = None) -> None:
    """Delete a camera the user manages. Audit: ``camera.delete``."""
    require_visible(user, camera, Action.MANAGE)
    organization_id = camera.site.organization_id
    audit.record(user, "camera.delete", organization=organization_id, target=camera, ip=ip)
    _after_camera_removal(camera, camera.gateway_id)
    camera.delete()


def _save_site(site: Site) -> None:
    site.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError:
        raise ValidationError({"name": ["A site with this name already exists in this organization."]}) from None


@transaction.atomic
def create_site(user: Visitor, organization: Organization, *, ip: str | None = None, **fields: Any) -> Site:
    """Create a site in an organization the user manages. Audit: ``site.create``."""
    if set(fields) - SITE_FIELDS:
        raise ValueError(f"unknown site fields: {sorted(set(fields) - SITE_FIELDS)}")
    require_visible(user, organization, Action.MANAGE)
    site = Site(organization=organization, **fields)
    _save_site(site)
    audit.record(user, "site.create", organization=organization, target=site, ip=ip)
    return site


@transaction.atomic
def update_site(user: Visitor, site: Site, *, ip: str | None = None, **changes: Any) -> Site:
    """Change a site's name, address or time zone. Audit: ``site.update``."""
    if set(changes) - SITE_FIELDS:
        raise ValueError(f"unknown site fields: {sorted(set(changes) - SITE_FIELDS)}")
    site = Site.objects.select_for_update().get(pk=site.pk)
    require_visible(user, site, Action.MANAGE)
    changed = _changed_fields(site, changes)
    for field, value in changes.items():
        setattr(site, field, value)
    _save_site(site)
    audit.record(user, "site.update", organization=site.organization_id, target=site, ip=ip, changed=changed)
    return site


@transaction.atomic
def delete_site(user: Visitor, site: Site, *, ip: str | None = None) -> None:
    """Delete a site and its cameras. Audit: ``site.delete`` (with the camera count)."""
    require_visible(user, site, Action.MANAGE)
    cameras = list(site.cameras.select_related("site"))
    audit.record(user, "site.delete", organization=site.organization_id, target=site, ip=ip,
                 cameras_deleted=len(cameras))
    for camera in cameras:
        _after_camera_removal(camera, camera.gateway_id)
    site.delete()
