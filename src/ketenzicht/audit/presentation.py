"""How an audit row reads for a person: names and Dutch words, never codes, field names or usernames.

Used by the audit page and its exports alike, so what is shown and what is exported agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from ketenzicht.accounts.system import SYSTEM_USERNAME
from ketenzicht.audit.models import AuditEvent

# What an audit row is about, by the `object_type` the services record (grep `object_type=`).
OBJECT_KINDS: dict[str, Any] = {
    "case": _("Signaal"),
    "subject": _("Betrokkene"),
    "attachment": _("Bijlage"),
    "reporter_addition": _("Aanvulling van de melder"),
    "doorverwijzing": _("Doorverwijzing"),
    "referral_snapshot": _("Doorverwijzing"),
    "doorgifteregister": _("Register van doorgiften"),
    "routekaart": _("Routekaart"),
    "routeadvies": _("Routeadvies"),
    "meldcode": _("Meldcode"),
    "meeting": _("Overleg"),
    "sitting": _("Vergadering"),
    "decision": _("Besluit"),
    "minutes_correction": _("Correctie van de notulen"),
    "action_item": _("Actiepunt"),
    "barrier_model": _("Barrièremodel"),
    "integral_control": _("Integrale controle"),
    "intervention": _("Interventie"),
    "bibob": _("Bibob-toets"),
    "bibob_screening": _("Bibob-toets"),
    "campaign": _("Campagne"),
    "address": _("Adres"),
    "barrier_dashboard": _("Barrièredashboard"),
    "monitor.import": _("Aanlevering voor de monitor"),
    "monitor_registration": _("Aanlevering voor de monitor"),
    "monitor.export": _("Export van de monitor"),
    "monitor.rapport": _("Rapport van de monitor"),
    "programme": _("Actieprogramma"),
    "action": _("Actie"),
    "action_import": _("Import van acties"),
    "target_group": _("Doelgroep"),
    "training": _("Training"),
    "training_need": _("Trainingsbehoefte"),
    "board_report": _("Bestuursrapportage"),
    "notification": _("Melding in Ketenzicht"),
    "user": _("Gebruiker"),
    "audittrail": _("Audittrail"),
}

# The models whose field names a service may record as "what changed"; shown by their label.
_MODELS = {"case": "cases.Case", "subject": "cases.Subject", "programme": "programme.Programme", "action": "programme.Action"}

# Labels in the trail that are codes rather than references (a meeting's kind): not shown.
_CODE_LABELLED = {"meeting", "sitting", "minutes_correction", "decision", "monitor.export", "monitor.rapport"}


def object_kind(entry: AuditEvent) -> str:
    return str(OBJECT_KINDS.get(entry.object_type, _("Overige gegevens")))


def object_label(entry: AuditEvent) -> str:
    return "" if entry.object_type in _CODE_LABELLED else entry.object_label


def _field_label(object_type: str, name: str) -> str:
    label = _MODELS.get(object_type)
    if label:
        try:
            return str(apps.get_model(label)._meta.get_field(name).verbose_name)
        except (FieldDoesNotExist, LookupError):
            pass
    return name.replace("_", " ")


def field_labels(entry: AuditEvent) -> str:
    return ", ".join(_field_label(entry.object_type, name) for name in entry.fields or [])


def actor_name(entry: AuditEvent) -> str:
    """The person's name (the trail keeps the username only as a fallback for a removed account)."""
    actor = entry.actor
    if actor is not None:
        if actor.username == SYSTEM_USERNAME:
            return str(_("Ketenzicht (automatische taak)"))
        return actor.get_full_name() or str(_("Onbekende gebruiker"))
    if entry.actor_label == "anoniem":
        return str(_("Anonieme melder of bezoeker"))
    return str(_("Verwijderd account"))


def when(entry: AuditEvent) -> str:
    return formats.date_format(timezone.localtime(entry.at), "DATETIME_FORMAT")


@dataclass(frozen=True)
class Row:
    when: str
    who: str
    organisation: str
    action: str
    kind: str
    reference: str
    fields: str
    reason: str

    def cells(self) -> list[str]:
        return [self.when, self.who, self.organisation, self.action, self.kind, self.reference, self.fields, self.reason]


COLUMNS = [
    _("Datum en tijd"), _("Gebruiker"), _("Organisatie"), _("Handeling"), _("Soort gegevens"), _("Kenmerk"), _("Gegevens"), _("Reden"),
]


def row(entry: AuditEvent) -> Row:
    return Row(
        when=when(entry),
        who=actor_name(entry),
        organisation=entry.organisation.name if entry.organisation else "",
        action=str(entry.get_action_display()),
        kind=object_kind(entry),
        reference=object_label(entry),
        fields=field_labels(entry),
        reason=entry.reason,
    )
