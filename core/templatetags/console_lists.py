"""`{% console_result_list cl %}`: a console list's results (core.admin.rows), in place of
the theme's `unfold_result_list`."""

from __future__ import annotations

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from core.admin import rows

register = template.Library()


@register.tag(name="console_result_list")
def console_result_list(parser, token) -> InclusionAdminNode:
    return InclusionAdminNode(
        parser, token, func=rows.result_list, template_name="core/change_list_results.html"
    )
