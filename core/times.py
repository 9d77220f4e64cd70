"""How the console writes a moment: in one time zone, with that zone written beside it.

Which zone (docs/decisions.md, "Times in the console"): a page about one case, booking,
customer or partner (or one region's run) uses that region's zone; a list uses the user's own
zone unless its filters name one such record; everything else uses the user's zone. The
views activate the zone; this module only writes the moment in the zone active now (or the
one given), so every page and list column reads the same for the same zone.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import dateformat, timezone

# Django date-format characters; T is the zone's abbreviation at that moment (IST, EET, EEST).
# config/formats/en/formats.py uses the same strings, so a list column or a read-only field
# the admin renders by itself reads exactly like this helper.
DATETIME_FORMAT = "j M Y, H:i T"  # 14 Dec 2026, 15:18 EET
SHORT_DATETIME_FORMAT = "j M, H:i T"  # 14 Dec, 15:18 EET (badges, tight columns)
DATE_FORMAT = "j M Y"
EMPTY = "–"


def zone_named(name: str | None) -> ZoneInfo | None:
    """The zone of an IANA name (a region's `timezone`), or None for a blank or unknown one."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def when(moment: datetime | None, zone: tzinfo | str | None = None, *, short: bool = False) -> str:
    """A moment in words with its zone: "14 Dec 2026, 15:18 EET". In `zone` when given (a
    tzinfo or an IANA name), else in the zone active now; "–" for no moment."""
    if moment is None:
        return EMPTY
    if isinstance(zone, str):
        zone = zone_named(zone)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    local = timezone.localtime(moment, zone) if zone is not None else timezone.localtime(moment)
    return dateformat.format(local, SHORT_DATETIME_FORMAT if short else DATETIME_FORMAT)


def zone_label(zone: tzinfo | None = None, at: datetime | None = None) -> str:
    """The zone as people read it: "IST (Asia/Kolkata)", for the zone active now by default."""
    zone = zone or timezone.get_current_timezone()
    moment = timezone.localtime(at or timezone.now(), zone)
    name = getattr(zone, "key", str(zone))
    return f"{moment.tzname()} ({name})"
