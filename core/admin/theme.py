"""Where the theme (django-unfold) costs on every list page, our own replacement, installed
once at start (core.apps). Each is checked by tests/core/test_theme_patches.py, which fails
if a theme upgrade moves what it wraps."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

_CACHE = "_casework_result_headers"


def headers_once(result_headers: Callable[[Any], Iterator[dict]]) -> Callable:
    """The theme builds the list's column headers again for every row (to label cells on
    small screens): 25 rows, 26 times the same headers. Build them once per list."""

    @functools.wraps(result_headers)
    def once(cl: Any) -> Iterator[dict]:
        headers = getattr(cl, _CACHE, None)
        if headers is None:
            headers = list(result_headers(cl))
            setattr(cl, _CACHE, headers)
        return iter(headers)

    once.casework_wrapped = True  # type: ignore[attr-defined]
    return once


def install() -> None:
    from unfold.templatetags import unfold_list

    if not getattr(unfold_list.result_headers, "casework_wrapped", False):
        unfold_list.result_headers = headers_once(unfold_list.result_headers)
