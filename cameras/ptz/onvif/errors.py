"""Typed errors of the ONVIF adapter, and the translation of whatever the library raises into them.

``retryable`` says whether trying again can help (a camera that did not
answer may answer later; one that refused the password will not). Messages
name the camera's address and never a credential.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import zeep.exceptions
from onvif.exceptions import ONVIFAuthError, ONVIFError, ONVIFTimeoutError

from cameras.sources import scrub

logger = logging.getLogger(__name__)

# --- errors ------------------------------------------------------------------------------


class OnvifError(Exception):
    """Base of the adapter's errors; the message is safe to show (no credentials)."""

    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(scrub(message))


class OnvifUnreachable(OnvifError):
    """No connection to the camera (refused, no route, reset)."""

    retryable = True


class OnvifTimeout(OnvifError):
    """The camera did not answer in time."""

    retryable = True


class OnvifBackedOff(OnvifError):
    """The camera failed repeatedly; the adapter leaves it alone for ``retry_after`` seconds."""

    retryable = True

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class OnvifAuthFailed(OnvifError):
    """The camera refused the ONVIF user name or password."""


class OnvifNotSupported(OnvifError):
    """The camera has no PTZ, or not this operation."""


class OnvifFault(OnvifError):
    """The camera answered with a SOAP fault or a reply that cannot be read."""


class OnvifUnknownToken(OnvifFault):
    """The camera has no preset (or other entity) with the token given: for a removal, it is gone already."""


class OnvifRefused(OnvifError):
    """The camera's address is one the portal never connects to (``cameras.ptz.onvif.target``); nothing was sent."""


# --- error translation --------------------------------------------------------------------


def _fault_names(fault: zeep.exceptions.Fault) -> set[str]:
    names = {str(fault.code or "").rsplit(":", 1)[-1]}
    for subcode in fault.subcodes or []:
        names.add(getattr(subcode, "localname", None) or str(subcode).rsplit(":", 1)[-1].rsplit("}", 1)[-1])
    return {name.lower() for name in names if name}


AUTH_WORDS = ("notauthorized", "not authorized", "unauthorized", "authority failure", "authentication")


def translate(exc: BaseException, where: str, timeout: float) -> OnvifError:
    """One of the typed errors for anything the library, the network or the camera raised."""
    if isinstance(exc, OnvifError):
        return exc
    if isinstance(exc, TimeoutError | asyncio.TimeoutError | ONVIFTimeoutError | aiohttp.ServerTimeoutError):
        return OnvifTimeout(f"The camera at {where} did not answer within {timeout:g} s.")
    if isinstance(exc, ONVIFAuthError):
        return OnvifAuthFailed(f"The camera at {where} refused the ONVIF user name or password.")
    if isinstance(exc, aiohttp.ClientConnectionError | ConnectionError | OSError):
        return OnvifUnreachable(f"Cannot connect to the camera at {where} ({type(exc).__name__}).")
    if isinstance(exc, zeep.exceptions.Fault):
        return _translate_fault(exc, where)
    if isinstance(exc, zeep.exceptions.TransportError):
        return _translate_http(exc.status_code, where)
    if isinstance(exc, zeep.exceptions.Error | ValueError | TypeError | AttributeError):
        return OnvifFault(f"The camera at {where} sent a reply that could not be read.")
    if isinstance(exc, ONVIFError):
        return _translate_library_error(exc, where, timeout)
    logger.warning("unexpected ONVIF failure at %s", where, exc_info=exc)
    return OnvifFault(f"The camera at {where} failed: {type(exc).__name__}.")


def is_login_refusal(exc: BaseException) -> bool:
    """Whether the camera refused the login (and not, say, the network or the operation)."""
    known = (zeep.exceptions.Fault, zeep.exceptions.TransportError, ONVIFAuthError, OnvifAuthFailed)
    return isinstance(exc, known) and isinstance(translate(exc, "", 0), OnvifAuthFailed)


def _translate_fault(fault: zeep.exceptions.Fault, where: str) -> OnvifError:
    names = _fault_names(fault)
    message = str(fault.message or "").strip()
    text = " ".join([*names, message.lower()])
    if any(word in text for word in AUTH_WORDS):
        return OnvifAuthFailed(f"The camera at {where} refused the ONVIF user name or password.")
    if "actionnotsupported" in names or "not supported" in text or "nohomeposition" in names:
        return OnvifNotSupported(f"The camera at {where} does not support this: {message[:120]}")
    if names & {"notoken", "noentity"}:
        return OnvifUnknownToken(f"The camera at {where} refused the command: {message[:160] or 'no such token'}")
    return OnvifFault(f"The camera at {where} refused the command: {message[:160] or 'SOAP fault'}")


def _translate_http(status: int | None, where: str) -> OnvifError:
    if status in (401, 403):
        return OnvifAuthFailed(f"The camera at {where} refused the ONVIF user name or password.")
    if status == 404:
        return OnvifNotSupported(f"The camera at {where} has no such ONVIF service (HTTP 404).")
    if status is not None and status >= 500:
        return OnvifUnreachable(f"The camera at {where} failed with HTTP {status}.")
    return OnvifFault(f"The camera at {where} answered HTTP {status}.")


def _translate_library_error(exc: ONVIFError, where: str, timeout: float) -> OnvifError:
    cause = exc.__cause__
    if cause is not None and not isinstance(cause, ONVIFError):
        return translate(cause, where, timeout)
    if "support" in str(exc).lower():
        return OnvifNotSupported(f"The camera at {where} has no PTZ service.")
    return OnvifFault(f"The camera at {where} failed: {str(exc)[:160]}")
