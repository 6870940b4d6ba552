"""Playback sessions: signed, short-lived, bound to one principal, re-checked at every request.

A session is not a table row: it is a token signed with the server's key
(``django.core.signing``, HMAC-SHA256) that holds a random session id, the
principal it was made for (a person or an API token), the camera's public
id, the stream, the range and the expiry. Playlist and segment URLs carry
it, so they cannot be guessed or altered, and they stop working at the
expiry. Opening a session (every playlist and segment request) checks the
signature, the expiry, that the requester is the principal it was made for,
and asks the access gate again: whoever lost access, or was never the
owner, gets the same 404 as for a camera that does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from accounts import audit
from accounts.callers import Visitor, token_of
from accounts.roles import Action
from accounts.scoping import access
from cameras.models import Camera
from recordings.footage import services
from recordings.footage.models import Segment

SALT = "recordings.playback.session"
NOT_FOUND = "This playback session does not exist or has ended; open the timeline again."
MAX_RANGE = timedelta(hours=24)


@dataclass(frozen=True)
class Session:
    """What a playback session token says."""

    id: str
    principal: str
    camera_public_id: uuid.UUID
    stream: str
    start: datetime
    end: datetime
    expires_at: datetime

    @property
    def live(self) -> bool:
        """Whether footage may still be added to the range (the playlist is then an EVENT playlist)."""
        return self.end > timezone.now()


@dataclass(frozen=True)
class Created:
    """A new session: its token (for the playlist URL), its camera and the codecs of its first segment."""

    session: Session
    token: str
    camera: Camera
    codecs: str


@dataclass(frozen=True)
class Opened:
    """A session checked for this request, with its camera (through the gate)."""

    session: Session
    camera: Camera


def principal_of(user: Visitor) -> str:
    """Who a session belongs to: ``t<id>`` for an API token, ``u<id>`` for a person."""
    token = token_of(user)
    if token is not None:
        return f"t{token.pk}"
    return f"u{user.pk}"


def _ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def _moment(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def sign(session: Session) -> str:
    payload = {"i": session.id, "p": session.principal, "c": session.camera_public_id.hex, "v": session.stream,
               "a": _ms(session.start), "b": _ms(session.end), "x": _ms(session.expires_at)}
    return signing.dumps(payload, salt=SALT, compress=True)


def unsign(token: str) -> Session:
    """The session a token holds; Http404 if the token is not one we signed (or was altered)."""
    try:
        data = signing.loads(token, salt=SALT)
        return Session(id=str(data["i"]), principal=str(data["p"]), camera_public_id=uuid.UUID(data["c"]),
                       stream=str(data["v"]), start=_moment(int(data["a"])), end=_moment(int(data["b"])),
                       expires_at=_moment(int(data["x"])))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404(NOT_FOUND) from None


def check_range(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValidationError({"end": ["The end must come after the start."]})
    if end - start > MAX_RANGE:
        raise ValidationError({"end": ["Play at most 24 hours at a time; open another session for the next part."]})


def create_session(user: Visitor, camera_public_id: Any, *, start: datetime, end: datetime, stream: str | None = None,
                   ip: str | None = None) -> Created:
    """Open a playback session on a camera's footage (view right). Audit: ``playback.start``.

    Refuses (400) a range without any footage of the stream.
    """
    camera = access(Camera, user, camera_public_id, Action.VIEW, related=("recording_settings",))
    check_range(start, end)
    stream = stream or services.preferred_stream(camera)
    codecs = (Segment.objects.of_stream(camera.pk, stream).overlapping(start, end).order_by("start")
              .values_list("codecs", flat=True).first())
    if codecs is None:
        raise ValidationError({"detail": f"Nothing of this camera's {stream} stream is recorded in that range."})
    expires_at = timezone.now() + timedelta(seconds=settings.CCTV_PLAYBACK_SESSION_SECONDS)
    session = Session(uuid.uuid4().hex, principal_of(user), camera.public_id, stream, start, end, expires_at)
    audit.record(user, "playback.start", organization=camera.site.organization_id, target=camera, ip=ip,
                 session=session.id, stream=stream, start=start.isoformat(), end=end.isoformat())
    return Created(session, sign(session), camera, codecs)


def open_session(user: Visitor, token: str) -> Opened:
    """The session of a playlist or segment request, checked again; Http404 for anything not right.

    Not the principal it was made for, expired, altered, or the camera no
    longer visible to them: all answer the same 404.
    """
    session = unsign(token)
    if timezone.now() >= session.expires_at:
        raise Http404(NOT_FOUND)
    if user is None or not user.is_authenticated or principal_of(user) != session.principal:
        raise Http404(NOT_FOUND)
    camera = access(Camera, user, session.camera_public_id, Action.VIEW)
    return Opened(session, camera)
