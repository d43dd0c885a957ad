"""Enrichment from registries (issue 14 item 5): look up, show, and take over on request.

A lookup sends one key of the case (postcode + huisnummer, or a KvK number) to the configured
registries and shows what they know; nothing is written to the case. Every lookup is audited:
which registry, which kind of key, for which case and with what outcome, never the key or the
answer itself (the audit trail outlives the case; an address in it would outlive the purge).

Taking over goes through `case_enrich` (the one service that writes enrichment fields: one
transaction, history row, audit row). What is taken over travels as a signed token bound to
the case, so the AF takes over exactly what the registry answered, or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core import signing

from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.cases.models import Case
from ketenzicht.cases.services import CaseError, case_enrich
from ketenzicht.core import policy
from ketenzicht.core.registries import RegistryUnavailable
from ketenzicht.core.registries.address import (
    AddressDetails,
    address_lookup_configured,
    lookup_address,
)
from ketenzicht.core.registries.kvk import CompanyProfile, kvk_client
from ketenzicht.domain.addresses import AddressQuery

TOKEN_SALT = "ketenzicht.cases.registry.take-over"  # noqa: S105 - a signing salt, not a secret
TOKEN_MAX_AGE = 30 * 60  # seconds: an answer older than this is looked up again
BAG_PREFIX = "BAG, opgezocht "


class RegistryLookupError(Exception):
    """A lookup or take-over that cannot be done; the message says why, in Dutch."""


@dataclass(frozen=True)
class Lookup:
    kind: str  # "bag" or "kvk"
    address: AddressDetails | None = None
    company: CompanyProfile | None = None
    # What taking over would write: (label, new value, current value) per field.
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    token: str = ""

    @property
    def found(self) -> bool:
        return self.address is not None or self.company is not None


def _audit(actor: Any, case: Case, kind: str, outcome: str) -> None:
    what = {"bag": "adres (postcode en huisnummer) in de BAG", "kvk": "bedrijf (KvK-nummer) in het Handelsregister"}[kind]
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="case",
        object_id=case.pk,
        object_label=case.reference,
        fields=[kind],
        reason=f"registeropvraging: {what}; {outcome}",
    )


# --- the address -------------------------------------------------------------------------------------


def bag_line(details: AddressDetails, today: date) -> str:
    """One line for the enrichment's address details; replaced by the next BAG lookup."""
    parts = []
    if details.adresseerbaar_object_id:
        kind = (details.object_type or "adresseerbaar object").lower()
        parts.append(f"{kind} {details.adresseerbaar_object_id}")
    if details.nummeraanduiding_id:
        parts.append(f"nummeraanduiding {details.nummeraanduiding_id}")
    if details.gebruiksdoelen:
        parts.append("gebruiksdoel " + ", ".join(details.gebruiksdoelen))
    if details.oppervlakte:
        parts.append(f"oppervlakte {details.oppervlakte} m²")
    if details.bouwjaar:
        parts.append(f"bouwjaar {details.bouwjaar}")
    if details.occupancy is not None:
        occupants = "meer dan 100" if details.occupancy.many else str(details.occupancy.registered)
        extra = f", mogelijk nog {details.occupancy.possibly}" if details.occupancy.possibly else ""
        parts.append(f"ingeschreven bewoners {occupants}{extra} (BRP, peildatum {details.occupancy.on:%d-%m-%Y})")
    return f"{BAG_PREFIX}{today:%d-%m-%Y}: " + "; ".join(parts)


def lookup_case_address(*, actor: Any, case: Case, query: AddressQuery, today: date) -> Lookup:
    policy.require(actor, "registry.lookup", case)
    if not address_lookup_configured():
        raise RegistryLookupError("Opzoeken in de BAG is niet ingesteld voor deze installatie.")
    try:
        details = lookup_address(query, on=today)
    except RegistryUnavailable as exc:
        _audit(actor, case, "bag", f"mislukt ({exc.kind or 'fout'})")
        raise RegistryLookupError(exc.user_message) from exc
    _audit(actor, case, "bag", "gevonden" if details else "niet gevonden")
    if details is None:
        return Lookup("bag")
    line = bag_line(details, today)
    fields = {"location_address": details.address_line, "address_details": line}
    changes = [("Adres", details.address_line, case.location_address), ("Adresgegevens (BAG/BRP)", line, "")]
    return Lookup("bag", address=details, changes=changes, token=_sign(case, "bag", fields, BAG_PREFIX))


# --- the company -------------------------------------------------------------------------------------


def kvk_line(company: CompanyProfile, today: date) -> str:
    parts = [company.name]
    for activity in company.activities:
        parts.append(f"SBI {activity.code} {activity.description}".strip() + (" (hoofdactiviteit)" if activity.main else ""))
    if company.address:
        parts.append(f"bezoekadres {company.address}")
    elif company.address_shielded:
        parts.append("bezoekadres afgeschermd")
    return f"{_kvk_prefix(company.kvk_number)}{today:%d-%m-%Y}: " + "; ".join(parts)


def _kvk_prefix(kvk_number: str) -> str:
    return f"KvK {kvk_number}, opgezocht "


def lookup_case_company(*, actor: Any, case: Case, kvk_number: str, today: date) -> Lookup:
    policy.require(actor, "registry.lookup", case)
    client = kvk_client()
    if client is None:
        raise RegistryLookupError("Opzoeken in het Handelsregister (KvK) is niet ingesteld voor deze installatie.")
    try:
        company = client.profile(kvk_number)
    except RegistryUnavailable as exc:
        _audit(actor, case, "kvk", f"mislukt ({exc.kind or 'fout'})")
        raise RegistryLookupError(exc.user_message) from exc
    _audit(actor, case, "kvk", "gevonden" if company else "niet gevonden")
    if company is None:
        return Lookup("kvk")
    line = kvk_line(company, today)
    fields = {"company_name": company.name, "kvk_number": company.kvk_number, "enrichment_notes": line}
    changes = [
        ("Bedrijfsnaam", company.name, case.company_name),
        ("KvK-nummer", company.kvk_number, case.kvk_number),
        ("Aantekeningen", line, ""),
    ]
    return Lookup("kvk", company=company, changes=changes, token=_sign(case, "kvk", fields, _kvk_prefix(company.kvk_number)))


# --- taking over ---------------------------------------------------------------------------------------

# The multi-line fields that get one line per lookup; the other fields are replaced.
_LINE_FIELDS = {"address_details", "enrichment_notes"}


def _sign(case: Case, kind: str, fields: dict[str, str], prefix: str) -> str:
    return signing.dumps({"case": str(case.pk), "kind": kind, "fields": fields, "prefix": prefix}, salt=TOKEN_SALT, compress=True)


def _merge_line(current: str, line: str, prefix: str) -> str:
    """The new line replaces an earlier one from the same lookup; everything the AF wrote stays."""
    kept = [existing for existing in current.splitlines() if not existing.startswith(prefix)]
    return "\n".join([*kept, line]).strip()


def take_over(*, actor: Any, case: Case, token: str) -> Case:
    """Write what a lookup found into the case's enrichment, through `case_enrich`."""
    policy.require(actor, "registry.lookup", case)
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise RegistryLookupError("Deze opzoeking is te oud om over te nemen. Zoek opnieuw op; er is niets gewijzigd.") from exc
    except signing.BadSignature as exc:
        raise RegistryLookupError("Deze opzoeking kan niet worden overgenomen. Zoek opnieuw op; er is niets gewijzigd.") from exc
    if data.get("case") != str(case.pk):
        raise RegistryLookupError("Deze opzoeking hoort bij een ander signaal. Zoek opnieuw op; er is niets gewijzigd.")
    changes = {}
    for name, value in data["fields"].items():
        changes[name] = _merge_line(getattr(case, name), value, data["prefix"]) if name in _LINE_FIELDS else value
    try:
        return case_enrich(actor=actor, case=case, changes=changes)
    except CaseError as exc:
        raise RegistryLookupError(str(exc)) from exc
