"""The backtests' console: ask for one (a version, with numbers changed if wanted, a period
and filters), watch it run, read what it found, export the changed decisions."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from cases.catalog import CaseKind
from cases.models import Case
from core.admin.base import ConsoleAdmin
from core.csv import stream_csv
from core.errors import DomainError
from flows.table import FLOWS
from partners.models import City, Region
from policies.models import PolicyVersion

from . import selectors, services
from .models import Backtest, BacktestState


class BacktestForm(forms.Form):
    version = forms.ModelChoiceField(
        PolicyVersion.objects.order_by("-effective_from"),
        help_text="The version whose numbers are tried: a draft, or any other.",
    )
    changes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text='Numbers changed on top of it, as JSON: {"revisit_penalty_rate": "0.50"}.',
    )
    first_day = forms.DateField(required=False, help_text="Default: 30 days before the last.")
    last_day = forms.DateField(required=False, help_text="Default: today.")
    region = forms.ModelChoiceField(Region.objects.order_by("name"), required=False)
    city = forms.ModelChoiceField(City.objects.order_by("name"), required=False)
    kind = forms.ChoiceField(choices=[("", "any")] + list(CaseKind.choices), required=False)
    flow = forms.ChoiceField(
        choices=[("", "any")] + [(name, name) for name in sorted(FLOWS)], required=False
    )
    partner = forms.IntegerField(required=False, min_value=1, help_text="Partner number.")

    def clean_changes(self) -> dict:
        raw = (self.cleaned_data.get("changes") or "").strip()
        if not raw:
            return {}
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not JSON: {exc.msg} (line {exc.lineno}).") from None
        if not isinstance(value, dict):
            raise forms.ValidationError('Give an object: {"name": value, ...}.')
        return value


def _money_rows(result: dict) -> list[dict]:
    rows = []
    for currency, kinds in result.get("money", {}).items():
        for kind, row in kinds.items():
            if Decimal(row["stored"]) or Decimal(row["candidate"]):
                rows.append({"currency": currency, "kind": kind, **row})
    return rows


@admin.register(Backtest)
class BacktestAdmin(ConsoleAdmin):
    list_display = ("id", "label", "version", "state", "progress", "period", "created_by")
    list_select_related = ("version", "created_by")
    list_filter = ("state",)
    search_fields = ("label", "version__version")
    list_per_page = 50

    @admin.display(description="progress")
    def progress(self, backtest: Backtest) -> str:
        return f"{backtest.progress_done:,} of {backtest.progress_total:,}"

    @admin.display(description="period")
    def period(self, backtest: Backtest) -> str:
        last = timezone.localtime(backtest.period_end).date() - timedelta(days=1)
        return f"{timezone.localtime(backtest.period_start):%d %b} – {last:%d %b %Y}"

    def get_queryset(self, request):
        return selectors.backtests_visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        return False  # a backtest is a result: read, cancelled, never edited

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        extra = [
            path(
                "<int:backtest_id>/cancel/",
                self.admin_site.admin_view(self.cancel_view),
                name="backtests_backtest_cancel",
            ),
            path(
                "compare/",
                self.admin_site.admin_view(self.compare_view),
                name="backtests_backtest_compare",
            ),
            path(
                "what-if/<int:case_id>/",
                self.admin_site.admin_view(self.what_if_view),
                name="backtests_backtest_what_if",
            ),
            path(
                "<int:backtest_id>/changed.csv",
                self.admin_site.admin_view(self.changed_csv_view),
                name="backtests_backtest_changed_csv",
            ),
        ]
        return extra + super().get_urls()

    def _context(self, request, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "has_view_permission": True,
        }

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {"version": request.GET.get("version")} if request.GET.get("version") else {}
        form = BacktestForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            filters = {
                "region": data["region"].pk if data["region"] else None,
                "city": data["city"].pk if data["city"] else None,
                "kind": data["kind"],
                "flow": data["flow"],
                "partner": data["partner"],
            }
            try:
                backtest, created = services.request_backtest(
                    actor=request.user,
                    version_id=data["version"].pk,
                    parameters=data["changes"],
                    first_day=data["first_day"],
                    last_day=data["last_day"],
                    filters=filters,
                )
            except DomainError as exc:
                for field, errors in exc.fields.items():
                    name = field if field in form.fields else "changes"
                    for error in errors:
                        form.add_error(name, f"{field}: {error}" if name != field else error)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                self.message_user(
                    request,
                    "Backtest queued." if created else "The same backtest was run before: here.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:backtests_backtest_change", args=[backtest.pk])
                )
        context = {**self._context(request, "Backtest a policy version"), "form": form}
        return TemplateResponse(request, "admin/backtests/backtest/add.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        backtest = get_object_or_404(self.get_queryset(request), pk=object_id)
        result = backtest.result or {}
        context = {
            **self._context(request, f"Backtest #{backtest.pk}: {backtest.label}"),
            "original": backtest,
            "backtest": backtest,
            "period": self.period(backtest),
            "result": result,
            "running": backtest.state in (BacktestState.QUEUED, BacktestState.RUNNING),
            "percent": (
                round(100 * backtest.progress_done / backtest.progress_total)
                if backtest.progress_total
                else 0
            ),
            "money_rows": _money_rows(result),
            "matrix": [
                {
                    "cell": cell,
                    "count": count,
                    "cases": result.get("changed_cases", {}).get(cell, []),
                }
                for cell, count in result.get("matrix", {}).items()
            ],
            "cases_url": reverse("admin:cases_case_changelist"),
            "may_run": selectors.may_backtest(request.user),
        }
        return TemplateResponse(request, "admin/backtests/backtest/result.html", context)

    def compare_view(self, request):
        """A/B: two finished backtests of one period and filters, side by side."""
        if not selectors.may_backtest(request.user):
            raise PermissionDenied
        visible = self.get_queryset(request)
        ids = [
            v
            for v in (request.GET.get("a"), request.GET.get("b"))
            if (v or "").isascii() and (v or "").isdigit() and len(v) < 19
        ]
        pair = list(visible.filter(pk__in=ids, state=BacktestState.DONE))
        pair.sort(key=lambda b: ids.index(str(b.pk)))
        error = ""
        if len(pair) != 2:
            error = "Choose two finished backtests."
        elif selectors.comparable(*pair) is False:
            error = "The two backtests cover different periods or filters: they do not compare."
        context = {
            **self._context(request, "Compare two backtests"),
            "pair": pair if not error else [],
            "error": error,
            "rows": selectors.comparison(*pair) if not error else [],
            "choices": visible.filter(state=BacktestState.DONE)[:100],
            "a": request.GET.get("a", ""),
            "b": request.GET.get("b", ""),
        }
        return TemplateResponse(request, "admin/backtests/backtest/compare.html", context)

    def what_if_view(self, request, case_id: int):
        """This case's decisions replayed under another version, both results side by side."""
        if not selectors.may_backtest(request.user):
            raise PermissionDenied
        case = get_object_or_404(Case, pk=case_id)
        versions = PolicyVersion.objects.order_by("-effective_from")
        chosen = request.GET.get("version") or ""
        rows: list = []
        error = ""
        if chosen.isascii() and chosen.isdigit() and len(chosen) < 19:
            try:
                rows = services.what_if_case(
                    actor=request.user, case_id=case.pk, version_id=int(chosen)
                )
            except DomainError as exc:
                error = (
                    "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in exc.fields.items())
                    or exc.message
                )
        context = {
            **self._context(request, f"What if another version had decided case #{case.pk}?"),
            "case": case,
            "versions": versions,
            "chosen": chosen,
            "rows": rows,
            "error": error,
        }
        return TemplateResponse(request, "admin/backtests/backtest/what_if.html", context)

    def cancel_view(self, request, backtest_id: int):
        backtest = get_object_or_404(self.get_queryset(request), pk=backtest_id)
        url = reverse("admin:backtests_backtest_change", args=[backtest.pk])
        if request.method != "POST":
            return HttpResponseRedirect(url)
        try:
            services.cancel_backtest(backtest_id=backtest.pk, actor=request.user)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, "Backtest cancelled.", messages.SUCCESS)
        return HttpResponseRedirect(url)

    def changed_csv_view(self, request, backtest_id: int):
        backtest = get_object_or_404(self.get_queryset(request), pk=backtest_id)
        header = [
            "case",
            "decided_at",
            "flow",
            "city",
            "partner",
            "currency",
            "stored_outcome",
            "candidate_outcome",
            "stored_reason",
            "candidate_reason",
        ]
        rows = (
            (
                facts.case_id or "",
                facts.at.isoformat(),
                replay.flow,
                facts.city,
                facts.partner_id or "",
                facts.currency,
                replay.stored["outcome"],
                replay.candidate_outcome,
                replay.stored["reason"],
                replay.candidate.reason,
            )
            for facts, replay in selectors.changed_decisions(backtest)
        )
        return stream_csv(f"backtest-{backtest.pk}-changed.csv", header, rows)
