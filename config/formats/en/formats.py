"""Console display formats (English): the admin's own rendering of a date or a moment (list
columns, read-only fields, `{{ value }}` in templates) reads like core.times.when, zone
written. Input formats stay Django's."""

from core.times import DATE_FORMAT, DATETIME_FORMAT, SHORT_DATETIME_FORMAT

SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "H:i"

__all__ = ["DATETIME_FORMAT", "DATE_FORMAT", "SHORT_DATETIME_FORMAT", "SHORT_DATE_FORMAT"]
