"""The customer's survey page, reached from the links in the survey mail: no login, the
signed link is the key. GET shows the rating chosen in the mail (a link scanner that opens
every link records nothing); the customer confirms it, with a comment if they like."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from core.errors import DomainError

from .services import csat


@require_http_methods(["GET", "POST"])
def csat_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        survey = csat.survey_of_token(token)
    except DomainError as exc:
        status = 410 if exc.code == "expired" else 404
        return render(request, "conversations/csat_invalid.html", {"why": str(exc)}, status=status)
    context = {"survey": survey, "ratings": csat.WORDS.items()}
    if request.method == "POST":
        try:
            rating = int(request.POST.get("rating", ""))
        except ValueError:
            rating = 0
        try:
            survey = csat.rate(token=token, rating=rating, comment=request.POST.get("comment", ""))
        except DomainError as exc:
            context.update(error=getattr(exc, "fields", {}).get("rating", [str(exc)])[0])
            return render(request, "conversations/csat.html", context, status=400)
        return render(request, "conversations/csat_thanks.html", {"survey": survey})
    chosen = request.GET.get("r", "")
    context["chosen"] = int(chosen) if chosen.isdigit() else survey.rating
    return render(request, "conversations/csat.html", context)
