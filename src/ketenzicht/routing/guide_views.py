"""The routekaart pages: "Wat doe ik met dit signaal?", with or without a case. Thin.

One question at a time, answers carried in hidden fields (works without JavaScript; with htmx
only the guide block is swapped). What is known is listed and can be changed; the advice that
already holds is shown from the first answer on (112 as soon as acute danger is known). On a
case the walk starts from what the case records, and the finished walk is stored.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from ketenzicht.cases import selectors as case_selectors
from ketenzicht.cases.models import Case
from ketenzicht.core import policy
from ketenzicht.core.decorators import policy_view
from ketenzicht.core.errors import ServiceError
from ketenzicht.domain import routekaart
from ketenzicht.routing import guide, selectors, services
from ketenzicht.routing.forms import QuestionForm, carried_fields, parse_carried_answers


def _region_map(request: HttpRequest) -> tuple[str | None, routekaart.RouteMap | None]:
    slug = selectors.user_region_slug(request.user)
    if slug is None:
        return None, None
    try:
        route_map, _version = selectors.active_route_map(slug)
    except routekaart.RoutekaartInputError:
        return slug, None
    return slug, route_map


Step = tuple[dict[str, Any], routekaart.Question | None, QuestionForm | None, str]


def _read_step(request: HttpRequest, route_map: routekaart.RouteMap, prefill: dict[str, Any]) -> Step:
    """(answers, question being asked, its form, error) after this request's answer or change."""
    if request.method != "POST":
        return dict(prefill), None, None, ""
    try:
        answers = parse_carried_answers(request.POST)
        open_questions = routekaart.advise_partial(route_map, answers).open_vragen
    except routekaart.RoutekaartInputError:
        # Hidden fields tampered with or from an older map: start again, say so.
        return dict(prefill), None, None, _("De antwoorden konden niet worden gelezen; begin opnieuw.")
    change = request.POST.get("wijzig", "")
    if change in routekaart.ANTWOORD_SLEUTELS:
        previous = answers.pop(change, None)
        open_questions = routekaart.advise_partial(route_map, answers).open_vragen
        question = next((q for q in open_questions if q.sleutel == change), None)
        form = QuestionForm(question, initial_value=previous) if question else None
        return answers, question, form, ""
    asked = request.POST.get("vraag", "")
    question = next((q for q in open_questions if q.sleutel == asked), open_questions[0] if open_questions else None)
    if question is None:
        return answers, None, None, ""
    form = QuestionForm(question, request.POST)
    if form.is_valid():
        answers[question.sleutel] = form.answer()
        return answers, None, None, ""
    return answers, question, form, ""


def _walk(request: HttpRequest, slug: str, route_map: routekaart.RouteMap, case: Case | None) -> dict[str, Any]:
    prefill = guide.prefill_from_case(case) if case is not None else {}
    answers, question, form, error = _read_step(request, route_map, prefill)
    advice = routekaart.advise_partial(route_map, answers)
    if question is None and advice.open_vragen:
        question = advice.open_vragen[0]
        form = QuestionForm(question)
    contacts = guide.RegionContacts(slug, route_map)
    return {
        "route_map": route_map,
        "answers": answers,
        "carried": carried_fields(answers),
        "question": question,
        "form": form,
        "advice": advice,
        "complete": advice.volledig,
        "items": guide.guide_items([i.to_json() for i in advice.items], contacts, user=request.user, case=case),
        "known": guide.known_answers(answers, prefill),
        "open_count": len(advice.open_vragen),
        "restart_error": error,
        "contacts": contacts,
        "is_af": guide.is_af(request.user),
    }


def _render_walk(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    status = 400 if context.get("form") is not None and context["form"].errors else 200
    if request.htmx and not request.htmx.boosted:
        # htmx does not swap 4xx answers; the error must reach the page, so the step with
        # its error comes back as 200 (without JS the full page keeps the honest 400).
        return render(request, "routing/_guide_step.html", context)
    return render(request, "routing/guide.html", context, status=status)


@policy_view("routekaart.use")
def guide_page(request: HttpRequest) -> HttpResponse:
    """'Wat doe ik met dit signaal?' without a case: nothing is stored."""
    slug, route_map = _region_map(request)
    if slug is None or route_map is None:
        return render(request, "routing/guide.html", {"no_map": True, "region_slug": slug})
    context = _walk(request, slug, route_map, None)
    context["action_url"] = reverse("routing:guide")
    return _render_walk(request, context)


@policy_view("routekaart.case")
def case_guide(request: HttpRequest, case_id: str) -> HttpResponse:
    case = case_selectors.case_for_work(request.user, case_id, purpose="routekaart")
    policy.require(request.user, "routekaart.case", case)
    slug, route_map = _region_map(request)
    if slug is None or route_map is None:
        return render(request, "routing/guide.html", {"no_map": True, "region_slug": slug, "case": case})
    context = _walk(request, slug, route_map, case)
    latest = selectors.latest_advice(case)
    context.update(
        case=case,
        action_url=reverse("routing:case_guide", args=[case.pk]),
        latest=latest,
        latest_items=guide.guide_items(latest.advice.get("advies", []), context["contacts"], user=request.user, case=case) if latest else [],
    )
    if request.method == "POST" and context["complete"]:
        try:
            services.route_advice_record(actor=request.user, case=case, answers=context["answers"])
        except ServiceError as exc:  # any refusal (e.g. a closed case is read-only), as everywhere
            context["restart_error"] = str(exc)
            return render(request, "routing/guide.html", context, status=400)
        messages.success(request, _("Het advies van de routekaart is bij het signaal vastgelegd."))
        # A query string, not only a fragment: a fragment-only change would not reload the page.
        target = reverse("routing:case_guide", args=[case.pk]) + "?vastgelegd=1#advies"
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    return _render_walk(request, context)
