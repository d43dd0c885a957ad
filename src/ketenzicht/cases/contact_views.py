"""Hit/no-hit pages (issue 14 item 2): ask for contact on a hit, answer a request, read answers."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ketenzicht.cases import contact, selectors
from ketenzicht.core.contact_pages import contact_answer_page
from ketenzicht.core.decorators import policy_view
from ketenzicht.core.errors import ServiceError


class ContactRequestForm(forms.Form):
    hit = forms.UUIDField(widget=forms.HiddenInput)
    question = forms.CharField(label=gettext_lazy("Uw vraag (optioneel)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ContactAnswerForm(forms.Form):
    share = forms.ChoiceField(
        label=gettext_lazy("Uw besluit"), widget=forms.RadioSelect,
        choices=[("ja", gettext_lazy("Delen")), ("nee", gettext_lazy("Niet delen"))],
        error_messages={"required": gettext_lazy("Kies of u deelt.")},
    )
    groups = forms.MultipleChoiceField(label=gettext_lazy("Wat deelt u?"), required=False, widget=forms.CheckboxSelectMultiple, choices=[])
    summary = forms.CharField(label=gettext_lazy("Samenvatting voor de andere aandachtsfunctionaris"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    decline_reason = forms.CharField(label=gettext_lazy("Of: waarom u niet deelt"), required=False, max_length=300)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["groups"].choices = [(g, contact.GROUP_LABELS[g]) for g in contact.shareable_groups()]


@require_POST
@policy_view("case.contact_request")
def request_contact(request: HttpRequest, case_id: str) -> HttpResponse:
    case = selectors.case_for_work(request.user, case_id, purpose="contactverzoek treffer")
    form = ContactRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies de treffer waarover u contact vraagt."))
        return redirect("cases:detail", case_id=case.pk)
    try:
        done = contact.contact_request_create(actor=request.user, case=case, other_case_id=form.cleaned_data["hit"], question=form.cleaned_data["question"])
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Uw contactverzoek is verstuurd aan de aandachtsfunctionaris van %(municipality)s.") % {"municipality": done.to_municipality.name})
    return redirect("cases:detail", case_id=case.pk)


@policy_view("case.contact_answer")
def requests(request: HttpRequest) -> HttpResponse:
    """Requests the municipality received (to answer) and sent (with the answers)."""
    rows = list(selectors.contact_requests_for(request.user))
    own = request.user.organisation.municipality_id
    return render(request, "cases/contact_requests.html", {
        "received": [r for r in rows if r.to_municipality_id == own],
        "sent": [r for r in rows if r.from_case.municipality_id == own],
        "labels": contact.GROUP_LABELS,
    })


@policy_view("case.contact_answer")
def answer(request: HttpRequest, request_id: str) -> HttpResponse:
    contact_request = selectors.contact_request_to_answer(request.user, request_id)
    return contact_answer_page(request, contact_request, ContactAnswerForm(request.POST or None), contact.contact_request_answer, "cases/contact_answer.html")
