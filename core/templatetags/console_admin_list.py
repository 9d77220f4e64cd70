"""Django's `admin_list` tag library with the filter panel's `admin_list_filter` written in
Python (core.admin.filter_panel). Installed under the name `admin_list` by the TEMPLATES
setting's `libraries`, so the theme's `{% load admin_list %}` gets it; every other tag and
filter is Django's own."""

from __future__ import annotations

from django import template
from django.contrib.admin.templatetags import admin_list

from core.admin import filter_panel

register = template.Library()
register.tags.update(admin_list.register.tags)
register.filters.update(admin_list.register.filters)
register.simple_tag(filter_panel.render_filter, name="admin_list_filter")
