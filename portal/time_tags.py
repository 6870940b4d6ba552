"""Template helpers for times, built into every template (settings: TEMPLATES "builtins").

``{% when moment owner %}`` prints ``<time datetime="...">2026-03-01 10:00:00 CET</time>``
in the zone of ``owner`` (a site, a camera, an event or clip, a zone name;
none: the viewer's zone, see ``portal.timezones``). ``fmt`` is ``seconds``
(the default), ``minutes`` or ``date``. ``moment|at:owner`` gives the
converted datetime, for ``date`` filters of one's own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.templatetags.tz import do_timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from portal import timezones

register = template.Library()

FORMATS = {"seconds": "Y-m-d H:i:s T", "minutes": "Y-m-d H:i T", "date": "Y-m-d"}


@register.filter
def at(moment: datetime | None, owner: Any = None) -> datetime | None:
    if not isinstance(moment, datetime):
        return None
    # do_timezone marks the value, so a later |date keeps this zone.
    return do_timezone(moment, timezones.zone_of(owner))


@register.simple_tag
def when(moment: datetime | None, owner: Any = None, fmt: str = "seconds", empty: str = "") -> str:
    if not isinstance(moment, datetime):
        return empty
    shown = timezones.local(moment, owner)
    text = date_format(shown, FORMATS.get(fmt, FORMATS["seconds"]))
    return format_html('<time datetime="{}">{}</time>', shown.isoformat(), text)
