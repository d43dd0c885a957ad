"""The routekaart as a guide in the application (issue 16 item 6).

Three things the engine cannot know, because they live in the database:
- what the case already records (form of exploitation, minor, acute danger, a victim): those
  answers are filled in before the first question, shown as answered, and can be changed;
- whom to call: phone and e-mail come from the `Organisation` rows of the region data
  (`data/regions/<regio>.yaml`), the map's own numbers are only the fallback;
- who is asking: the aandachtsfunctionaris is never told to contact herself or her own
  organisation; that advice becomes her own next step, and advice for a partner she can refer
  to leads straight to the referral form, prefilled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db import DatabaseError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketenzicht.accounts.models import Organisation, OrganisationKind, Role
from ketenzicht.cases.models import Case, ExploitationForm, SubjectRole, TriState
from ketenzicht.core import policy
from ketenzicht.domain import routekaart
from ketenzicht.routing import selectors

ROUTE_LABELS = {
    "slachtoffer": gettext_lazy("Een (mogelijk) identificeerbaar slachtoffer"),
    "locatie": gettext_lazy("Een locatie waar mensenhandel wordt vermoed"),
}
# Short labels for the answers already known; the full question is asked when one is changed.
ANSWER_LABELS = {
    "route": gettext_lazy("Het signaal gaat over"),
    "acuutGevaar": gettext_lazy("Acuut gevaar"),
    "uitbuitingsvormen": gettext_lazy("Vormen van uitbuiting"),
    "wilPolitieSpreken": gettext_lazy("Wil met politie of inspectie spreken"),
    "wilHulp": gettext_lazy("Wil hulp, opvang of een advocaat"),
    "ernstigeZorgenGeenGrip": gettext_lazy("Ernstige zorgen, maar geen grip"),
    "meldcodeProfessional": gettext_lazy("Melder werkt onder de meldcode"),
    "minderjarig": gettext_lazy("Minderjarige betrokken"),
}


# --- answers the case already records -----------------------------------------------------------


def prefill_from_case(case: Case) -> dict[str, Any]:
    """The routekaart answers the case file already gives; the AF can change each of them."""
    answers: dict[str, Any] = {}
    if case.subjects.filter(role=SubjectRole.SLACHTOFFER).exists():
        answers["route"] = "slachtoffer"
    answers["acuutGevaar"] = bool(case.acute_danger)
    answers["uitbuitingsvormen"] = sorted(case.forms) or [ExploitationForm.ONBEKEND.value]
    if case.minor_involved in (TriState.JA, TriState.NEE):
        answers["minderjarig"] = case.minor_involved == TriState.JA
    return answers


@dataclass(frozen=True)
class KnownAnswer:
    sleutel: str
    label: str
    value: str
    from_case: bool


def _value_label(key: str, value: Any) -> str:
    if key == routekaart.ROUTE_SLEUTEL:
        return str(ROUTE_LABELS.get(value, value))
    if key == routekaart.LIJST_SLEUTEL:
        labels = dict(ExploitationForm.choices)
        return ", ".join(str(labels.get(v, v)) for v in sorted(value))
    return _("Ja") if value else _("Nee")


def known_answers(answers: Mapping[str, Any], prefilled: Mapping[str, Any]) -> list[KnownAnswer]:
    """The answers given so far, in the order of the answer keys, marked when they come from the case."""
    result = []
    for key in routekaart.ANTWOORD_SLEUTELS:
        if answers.get(key) is None:
            continue
        value = answers[key]
        same = key in prefilled and _normal(prefilled[key]) == _normal(value)
        result.append(KnownAnswer(key, str(ANSWER_LABELS[key]), _value_label(key, value), same))
    return result


def _normal(value: Any) -> Any:
    return sorted(value) if isinstance(value, list | tuple | set | frozenset) else value


# --- contacts from the region data ---------------------------------------------------------------

# Advice kinds that name an organisation kind of the region data (the same words).
_ORG_KINDS = {k.value for k in OrganisationKind} - {OrganisationKind.GEMEENTE.value, OrganisationKind.OVERIG.value}


class RegionContacts:
    """Which `Organisation` of the region stands behind a partner of the map.

    A partner naming `regio_organisatie` is that organisation (if it is in this region).
    Otherwise the kind decides, but only when it is unambiguous: one organisation of that kind
    in the region and one partner of that kind in the map. Anything else keeps the map's own
    contact details rather than risk showing another organisation's phone number.
    """

    def __init__(self, region_slug: str | None, route_map: routekaart.RouteMap) -> None:
        self.route_map = route_map
        try:
            rows = list(Organisation.objects.filter(region__slug=region_slug)) if region_slug else []
        except DatabaseError:  # the command may run without a database
            rows = []
        self.by_slug = {o.slug: o for o in rows}
        self.by_kind: dict[str, list[Organisation]] = {}
        for org in rows:
            self.by_kind.setdefault(org.kind, []).append(org)
        self.partners_per_kind: dict[str, int] = {}
        for partner in route_map.partners.values():
            self.partners_per_kind[partner.soort] = self.partners_per_kind.get(partner.soort, 0) + 1

    def partner_for(self, soort: str, organisatie: str) -> routekaart.Partner | None:
        """The map partner behind a stored advice item (matched on kind and name)."""
        same_kind = [p for p in self.route_map.partners.values() if p.soort == soort]
        named = [p for p in same_kind if p.organisatie == organisatie]
        if named:
            return named[0]
        return same_kind[0] if len(same_kind) == 1 else None

    def organisation_for(self, partner: routekaart.Partner | None, soort: str) -> Organisation | None:
        if partner is not None and partner.regio_organisatie:
            return self.by_slug.get(partner.regio_organisatie)
        if soort not in _ORG_KINDS:
            return None
        candidates = self.by_kind.get(soort, [])
        if len(candidates) == 1 and self.partners_per_kind.get(soort, 0) <= 1:
            return candidates[0]
        return None

    def contact(self, item: Mapping[str, str]) -> tuple[Organisation | None, str, str]:
        """(organisation, phone, e-mail) for one advice item: region data first, then the map."""
        partner = self.partner_for(item["soort"], item["organisatie"])
        org = self.organisation_for(partner, item["soort"])
        phone = (org.phone if org else "") or item.get("telefoon", "") or (partner.telefoon if partner else "")
        email = (org.email if org else "") or item.get("email", "") or (partner.email if partner else "")
        return org, phone, email


def with_region_contacts(advice: Mapping[str, Any], contacts: RegionContacts) -> dict[str, Any]:
    """Contract JSON with each item's phone and e-mail taken from the region data where it has them."""
    items = []
    for item in advice["advies"]:
        _org, phone, email = contacts.contact(item)
        items.append({**item, "telefoon": phone, "email": email})
    return {**advice, "advies": items}


# --- advice as the user sees it ------------------------------------------------------------------


@dataclass(frozen=True)
class GuideItem:
    soort: str
    organisatie: str
    telefoon: str
    email: str
    reden: str
    website: str = ""
    openingstijden: str = ""
    organisation: Organisation | None = None
    own_task: str = ""  # set when the advice is the user's own next step, not someone to call
    own_task_url: str = ""
    own_task_link: str = ""
    referral_url: str = ""


def is_af(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(Role.AANDACHTSFUNCTIONARIS)


def guide_items(
    items: Iterable[Mapping[str, str]], contacts: RegionContacts, *, user: Any, case: Case | None = None
) -> list[GuideItem]:
    """Advice items (contract JSON, stored or fresh) with contacts, own tasks and referral links."""
    recipients = _recipients(user, case)
    result = []
    for item in items:
        partner = contacts.partner_for(item["soort"], item["organisatie"])
        org, phone, email = contacts.contact(item)
        extra = {"website": partner.website, "openingstijden": partner.openingstijden} if partner else {}
        own = _own_task(item["soort"], org, user)
        if own:
            text, url, link = own
            # The map names "the AF of your own municipality"; to the AF herself that is her own step.
            heading = _("Signalenoverleg: uw eigen stap") if item["soort"] == "signalenoverleg" and is_af(user) else item["organisatie"]
            result.append(GuideItem(item["soort"], heading, "", "", text, organisation=org, own_task=text, own_task_url=url, own_task_link=link))
            continue
        referral_url = ""
        if case is not None and org is not None and org.pk in recipients:
            query = urlencode({"organisatie": org.pk, "advies": item["soort"]})
            referral_url = f"{reverse('routing:referral_new', args=[case.pk])}?{query}"
        result.append(GuideItem(item["soort"], item["organisatie"], phone, email, item["reden"], organisation=org, referral_url=referral_url, **extra))
    return result


def _own_task(soort: str, org: Organisation | None, user: Any) -> tuple[str, str, str] | None:
    """(what to do, link, link text) when the advice points at the user or their own organisation."""
    own_org = getattr(user, "organisation", None)
    if soort == "signalenoverleg" and is_af(user):
        url = reverse("meetings:list") if policy.can(user, "meeting.list") else ""
        text = _("U bent zelf de aandachtsfunctionaris: breng het signaal in het signalenoverleg van uw gemeente, zodat het daar verrijkt en gevolgd wordt.")
        return text, url, _("Naar de overleggen")
    if soort == "signalenoverleg" and policy.can(user, "case.report"):
        text = _("Meld het signaal via de interne meldroute van uw gemeente; de aandachtsfunctionaris brengt het in het signalenoverleg.")
        return text, reverse("intake:report"), _("Naar de interne meldroute")
    if org is not None and own_org is not None and org.pk == own_org.pk:
        return _("Dit is uw eigen organisatie: pak het signaal binnen uw organisatie op volgens uw eigen werkwijze."), "", ""
    return None


def _recipients(user: Any, case: Case | None) -> set[int]:
    if case is None or not policy.can(user, "referral.manage", case):
        return set()
    return {o.pk for o in selectors.referral_recipients(user)}


# --- from advice to a prefilled referral ---------------------------------------------------------


def referral_initial(case: Case, recipients: Sequence[Organisation], params: Mapping[str, str]) -> dict[str, Any]:
    """Initial values of the referral form when the AF comes from an advice of the routekaart.

    The partner comes from `?organisatie=`, the question from the reason in the latest advice
    recorded for the case (`?advies=` names its kind). Nothing from the query string is shown
    unless it matches a recipient or a stored advice, so a crafted link prefills nothing.
    """
    try:
        org_id = int(params.get("organisatie", ""))
    except ValueError:
        return {}
    org = next((o for o in recipients if o.pk == org_id), None)
    if org is None:
        return {}
    soort = params.get("advies", "")
    latest = selectors.latest_advice(case)
    reasons = [i["reden"] for i in (latest.advice.get("advies", []) if latest else []) if i.get("soort") == soort]
    ask = _("Wilt u dit signaal beoordelen en laten weten wat u ermee doet?")
    if reasons:
        question = _("Op advies van de signalenroutekaart: %(reden)s") % {"reden": reasons[0]} + "\n\n" + ask
    else:
        question = _("Op advies van de signalenroutekaart.") + "\n\n" + ask
    return {"organisation": org.pk, "question": question}
