"""Template tags of the console."""

from __future__ import annotations

import hashlib
import json

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def sidebar_key(context: template.Context) -> str:
    """A key naming exactly what the menu shows: its groups and items as the role matrix
    gave them for this user, with the active one. Same key, same HTML, so the rendered menu
    can be reused across requests and never goes stale (a new item is a new key)."""
    shown = context.get("sidebar_navigation") or []
    if getattr(shown, "cache_key", ""):
        return shown.cache_key  # core.admin.theme's menu knows it already
    return hashlib.sha1(json.dumps(shown, default=str, sort_keys=True).encode()).hexdigest()
