"""Console widgets that mend what the admin's own get wrong."""

from __future__ import annotations

from unfold.widgets import UnfoldAdminDateWidget


class DateWithoutTimezoneNote(UnfoldAdminDateWidget):
    """A date picker without Django's "you are N hours ahead of server time" note.

    DateTimeShortcuts.js adds that note (a red warning icon in the theme) beside every date
    input when the browser's zone differs from the server's, though a date has no time of day
    to shift. The script skips an input whose parent already holds a `.timezonewarning`: the
    template puts an empty, hidden one there. The calendar picker still works.
    """

    # In core's own templates: the form renderer reads app directories, not templates/.
    template_name = "core/widgets/date_without_timezone_note.html"
