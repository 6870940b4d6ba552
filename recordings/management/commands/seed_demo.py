"""Create (or refresh) the demo organization that bin/start shows a newcomer.

Idempotent: rows that exist are kept (cameras get their demo source back if
it changed). Every run gives the four demo users fresh random passwords and
prints them; they are stored nowhere else.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import Membership, Organization, User
from accounts.roles import Role
from cameras import services as camera_services
from cameras.models import Camera, Site
from cameras.ptz import services as ptz
from recordings.footage import services as footage
from recordings.footage.models import StoragePolicy
from recordings.motion import services as motion

ORGANIZATION = "Demo Org"
USERS = [
    # e-mail, role, staff (may open the Django admin)
    ("owner@demo.local", Role.OWNER, False),
    ("admin@demo.local", Role.ADMIN, True),
    ("operator@demo.local", Role.OPERATOR, False),
    ("viewer@demo.local", Role.VIEWER, False),
]
# The demo's PTZ camera (site, camera): it gets the ONVIF settings given with --onvif. Its picture
# ("ptz", "ptz-sub") is the view of a panorama at the simulated device's position (tests/support/ptz_picture.py).
PTZ_CAMERA = ("Head Office", "Entrance")
# The demo's motion camera: a still yard someone walks across every 30 s (no sub stream).
MOTION_CAMERA, MOTION_STREAM = ("Head Office", "Back Yard"), "motion"
WALL_CAMERAS = 95  # with the five above: a full 10x10 grid
# Recorded continuously (sub stream where there is one), kept one day: footage after a minute, a small disk.
RECORDED_SITES = ("Head Office", "Warehouse")
DEMO_RECORDING = {"mode": "continuous", "stream": "sub", "continuous_retention_days": 1, "event_retention_days": 1}
DEMO_STORAGE = {"quota_bytes": 5 * 1024**3, "continuous_retention_days": 1, "event_retention_days": 1}
SITES = [
    # site, address, time zone, [(camera, simulator stream)]; "<stream>-sub" is its sub stream
    ("Head Office", "1 Demo Street", "UTC", [("Entrance", "ptz"), ("Reception", "demo2"), ("Back Yard", "motion")]),
    ("Warehouse", "2 Demo Yard", "UTC", [("Loading Dock", "demo3"), ("Aisle 3", "demo4")]),
    ("Video Wall", "3 Demo Hall", "UTC",
     [(f"Wall {i:02d}", f"demo{(i - 1) % 4 + 1}") for i in range(1, WALL_CAMERAS + 1)]),
]


class Command(BaseCommand):
    help = "Create the demo organization, sites, users and synthetic cameras; print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--camera-base",
            default="rtsp://127.0.0.1:18554",
            help="RTSP server of the camera simulator; streams demo1..demo4, ptz and motion live there "
            "(default: %(default)s).",
        )
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/", help="Portal address to print (default: %(default)s)."
        )
        parser.add_argument(
            "--password",
            help="Give every demo user this password instead of a random one each.",
        )
        parser.add_argument(
            "--onvif", metavar="HOST:PORT",
            help="ONVIF PTZ device for the Entrance camera (bin/start runs a simulated one).",
        )
        parser.add_argument("--onvif-username", default="admin", help="Its ONVIF user (default: %(default)s).")
        parser.add_argument("--onvif-password", default="", help="Its ONVIF password.")

    def handle(self, *args: Any, **options: Any) -> None:
        base = options["camera_base"].rstrip("/")
        passwords: dict[str, str] = {}
        with transaction.atomic():
            organization, _ = Organization.objects.get_or_create(name=ORGANIZATION)
            for email, role, staff in USERS:
                passwords[email] = options["password"] or secrets.token_urlsafe(9)
                self._user(organization, email, role, staff, passwords[email])
            owner = User.objects.get(email=USERS[0][0])
            for site_name, address, timezone, cameras in SITES:
                site = Site.objects.filter(organization=organization, name=site_name).first()
                if site is None:
                    site = camera_services.create_site(
                        owner, organization, name=site_name, address=address, timezone=timezone
                    )
                for camera_name, stream in cameras:
                    sub = "" if stream == MOTION_STREAM else f"{base}/{stream}-sub"
                    self._camera(owner, site, camera_name, f"{base}/{stream}", sub)
            self._motion(owner, organization)
            self._recording(owner, organization)
            if options["onvif"]:
                self._ptz(owner, organization, options)
        self._print(options["url"], passwords)

    def _user(self, organization: Organization, email: str, role: str, staff: bool, password: str) -> None:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=password, is_staff=staff)
        else:
            user.set_password(password)
            user.is_staff = staff
            user.is_active = True
            user.save()
        Membership.objects.update_or_create(user=user, organization=organization, defaults={"role": role})

    def _camera(self, owner: User, site: Site, name: str, source: str, sub_source: str) -> None:
        camera = Camera.objects.filter(site=site, name=name).first()
        try:
            if camera is None:
                camera_services.create_camera(owner, site, name=name, main_source=source, sub_source=sub_source)
            elif (camera.main_source, camera.sub_source) != (source, sub_source):
                camera_services.update_camera(owner, camera, main_source=source, sub_source=sub_source)
        except ValidationError as exc:
            host = source.split("://", 1)[-1].split("/", 1)[0]
            raise CommandError(
                f"demo camera source refused: {'; '.join(exc.messages)} "
                f"(allow the simulator with CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS={host}; bin/start does this)"
            ) from None

    def _motion(self, owner: User, organization: Organization) -> None:
        """Switch motion detection on for the motion camera (a short cooldown, so every walk alerts)."""
        site_name, camera_name = MOTION_CAMERA
        camera = Camera.objects.get(site__organization=organization, site__name=site_name, name=camera_name)
        motion.update_settings(owner, camera.public_id, enabled=True, cooldown_seconds=20)

    def _recording(self, owner: User, organization: Organization) -> None:
        """Record the cameras of the recorded sites; settings already in place are left as they are."""
        if not StoragePolicy.objects.filter(organization=organization).exists():
            footage.update_policy(owner, organization.pk, **DEMO_STORAGE)
        cameras = Camera.objects.filter(site__organization=organization, site__name__in=RECORDED_SITES)
        for camera in cameras.select_related("site"):
            current = footage.settings_for(camera)
            if any(getattr(current, field) != value for field, value in DEMO_RECORDING.items()):
                footage.update_settings(owner, camera.public_id, **DEMO_RECORDING)

    def _ptz(self, owner: User, organization: Organization, options: dict[str, Any]) -> None:
        """ONVIF settings for the PTZ camera; its capabilities and presets are read again on every run."""
        host, _, port = options["onvif"].rpartition(":")
        if not host or not port.isdigit():
            raise CommandError("--onvif takes HOST:PORT, e.g. 127.0.0.1:18080")
        site_name, camera_name = PTZ_CAMERA
        camera = Camera.objects.get(site__organization=organization, site__name=site_name, name=camera_name)
        wanted = {"onvif_host": host, "onvif_port": int(port), "onvif_username": options["onvif_username"],
                  "onvif_password": options["onvif_password"]}
        if all(getattr(camera, field) == value for field, value in wanted.items()):
            ptz.request_capabilities(camera)  # a restarted device: read its presets again
            return
        try:
            camera_services.update_camera(owner, camera, **wanted)  # reads the capabilities too
        except ValidationError as exc:
            raise CommandError(
                f"demo ONVIF device refused: {'; '.join(exc.messages)} "
                f"(allow it with CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS={options['onvif']}; bin/start does this)"
            ) from None

    def _print(self, url: str, passwords: dict[str, str]) -> None:
        out = self.stdout
        out.write(self.style.SUCCESS(f"Demo data ready in organization {ORGANIZATION!r}."))
        out.write(f"Open {url} and log in as:")
        for email, role, staff in USERS:
            extra = " (+ Django admin)" if staff else ""
            out.write(f"  {email:<22} {passwords[email]:<16} {role.label}{extra}")
