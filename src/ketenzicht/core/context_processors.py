"""Navigation shown to a person: only the places the policy lets them go."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ketenzicht.core import policy

NAV = [
    ("case.queue", "cases:queue", _("Werkvoorraad")),
    ("case.report", "intake:report", _("Signaal melden")),
    ("case.list_own_reports", "intake:own_reports", _("Mijn meldingen")),
    ("meeting.list", "meetings:list", _("Overleggen")),
    ("throughput.view", "meetings:throughput", _("Doorlooptijden")),
    ("monitor.view", "monitor:overview", _("Monitor")),
    ("persons.view", "persons:persons", _("Personen en schatting")),
    ("persons.encode", "persons:deliver", _("Registraties aanleveren")),
    ("barriers.work", "barriers:index", _("Verstoren")),
    ("barriers.dashboard", "barriers:dashboard", _("Districtsdashboard")),
    ("barriers.regional_plan", "barriers:regional_controls", _("Regionale controles")),
    ("programme.view", "programme:index", _("Actieprogramma")),
    ("training.view", "programme:training_index", _("Training")),
    ("report.view", "programme:reports", _("Rapportages")),
    ("audit.view", "audit:log", _("Audittrail")),
    ("users.manage", "accounts:users", _("Gebruikers")),
    ("case.unrouted", "unrouted:list", _("Regionale wachtrij")),
    ("routekaart.use", "routing:guide", _("Routekaart")),
    ("partner.inbox", "routing:partner_inbox", _("Doorverwijzingen")),
    ("routekaart.review", "routing:map_review", _("Routekaart beheren")),
    ("sharing.register", "routing:sharing_register", _("Doorgifteregister")),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    staff_languages = [(code, name) for code, name in settings.LANGUAGES if code in settings.STAFF_LANGUAGES]
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "staff_languages": staff_languages}
    items = [
        {"url": reverse(url_name), "label": label, "current": request.path.startswith(reverse(url_name))}
        for action, url_name, label in NAV
        if policy.can(user, action)
    ]
    return {"nav_items": items, "staff_languages": staff_languages}
