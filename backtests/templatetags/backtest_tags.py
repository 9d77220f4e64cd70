"""The latest backtest of a policy version, on the version's page and on its activation page
(the checker reads it before activating); the policies' templates load it, so the policies
app never imports backtests."""

from django import template
from django.urls import reverse

from backtests import selectors

register = template.Library()


@register.inclusion_tag("admin/backtests/backtest/latest.html", takes_context=True)
def latest_backtest(context, version) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if version is None or not getattr(version, "pk", None) or not selectors.may_backtest(user):
        return {"shown": False}
    latest = selectors.latest_backtest_of(version.pk)
    edited = getattr(version, "updated_at", None) or getattr(version, "created_at", None)
    return {
        "shown": True,
        "version": version,
        "latest": latest,
        "stale": latest is not None and edited is not None and latest.created_at < edited,
        "new_url": reverse("admin:backtests_backtest_add") + f"?version={version.pk}",
        "latest_url": (
            reverse("admin:backtests_backtest_change", args=[latest.pk]) if latest else ""
        ),
    }


@register.inclusion_tag("admin/backtests/backtest/what_if_link.html", takes_context=True)
def what_if_link(context, case) -> dict:
    request = context.get("request")
    if case is None or not selectors.may_backtest(getattr(request, "user", None)):
        return {"url": ""}
    return {"url": reverse("admin:backtests_backtest_what_if", args=[case.pk])}
