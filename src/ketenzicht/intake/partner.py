"""Partner intake: a signal posted to the API, stored exactly once per Idempotency-Key."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from ketenzicht.accounts.models import Municipality, Region, Role
from ketenzicht.accounts.selectors import outside_platform
from ketenzicht.cases.models import Case, Channel, ExploitationForm, SubjectRole
from ketenzicht.cases.services import SignalInput, SubjectInput, case_create
from ketenzicht.core import policy, prepared
from ketenzicht.core.rows import KeptByRow, columns, from_row, with_related
from ketenzicht.norms.models import RegionNorms


class IdempotencyConflict(Exception):
    """The Idempotency-Key was used before for a request with other content."""

    def __init__(self, case: Case) -> None:
        super().__init__("Idempotency-Key reused with a different body")
        self.case = case


class OutsidePlatform(Exception):
    """The municipality lies outside every loaded region: nobody here could act on the signal."""

    def __init__(self, municipality: Municipality) -> None:
        super().__init__(f"{municipality.cbs_code} outside every loaded region")
        self.municipality = municipality


def intake_key(user_id: object, idempotency_key: str) -> str:
    """The stored intake key: scoped to the submitting account, so partners never collide.

    The header value is hashed so that account id + 100 characters fit the 100-character column.
    """
    return f"api:{user_id}:{hashlib.sha256(idempotency_key.encode()).hexdigest()}"


def body_fingerprint(body: Any) -> str:
    """sha256 of the canonical JSON of a request body (sorted keys, no whitespace)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@cache
def _municipality_sql() -> tuple[list[str], list[str], str]:
    m_names, m_cols = columns(Municipality, "m")
    r_names, r_cols = columns(Region, "r")
    sql = (
        f"SELECT {m_cols}, {r_cols}, (SELECT n.sha256 FROM {RegionNorms._meta.db_table} n WHERE n.slug = r.slug) "  # noqa: S608 - model columns only
        f"FROM {Municipality._meta.db_table} m LEFT JOIN {Region._meta.db_table} r ON r.id = m.region_id WHERE m.cbs_code = %s"
    )
    return m_names, r_names, sql


def municipality_by_code(code: str) -> Municipality | None:
    """With its region and the digest of the region's norms: the first assessment's deadline
    needs both (norms.selectors.norms_for), and reading them here saves a query per delivery.

    One hand-written query (core/rows.py), as `select_related("region")` with the digest
    annotated would give it: every delivery asks, and the ORM's compilation of that query cost
    more than the rest of the lookup (issue 19). tests/app/test_intake_fast_api.py compares the two.
    """
    row = prepared.fetchone(_municipality_sql()[-1], [code])
    return None if row is None else municipality_of(row)


def _build_municipality(row: Any) -> Municipality:
    m_names, r_names, _sql = _municipality_sql()
    n = len(m_names)
    municipality = from_row(Municipality, m_names, row[:n])
    with_related(municipality, "region", r_names, row[n : n + len(r_names)])
    municipality.norms_digest = row[n + len(r_names)]
    return municipality


# The municipality of a row in `_municipality_sql`'s column order (its region's and the norms'
# digest after its own), as `municipality_by_code` gives it; the same row gives the same
# (shared, read-only) instance (core/rows.KeptByRow).
municipality_of = KeptByRow(_build_municipality)


def partner_signal_submit(*, actor: Any, data: dict[str, Any], idempotency_key: str, fingerprint: str) -> tuple[Case, bool]:
    """Store a signal from the API. Returns (case, created); a replay returns the first case.

    `data` is PartnerSignalInput's validated data (its gemeenteCode already a Municipality).

    Raises IdempotencyConflict when the key was used for different content: also when the
    other request won a race, because case_create returns the winner's case.
    """
    policy.require(actor, "api.signal.create", data["gemeenteCode"])
    if outside_platform(data["gemeenteCode"]):
        raise OutsidePlatform(data["gemeenteCode"])
    case, created = case_create(actor=actor, data=partner_signal_input(actor, data, idempotency_key, fingerprint))
    if not created and case.intake_fingerprint != fingerprint:
        raise IdempotencyConflict(case)
    return case, created


def partner_signal_input(actor: Any, data: dict[str, Any], idempotency_key: str, fingerprint: str) -> SignalInput:
    """The signal to store, from validated API data (the serializer's, or intake/fast_api.py's)."""
    subjects = [
        SubjectInput(
            role=s["rol"],
            name=s.get("naam", ""),
            birth_date=s.get("geboortedatum"),
            nationality=s.get("nationaliteit", ""),
            description=s.get("omschrijving", ""),
            kvk_number=s.get("kvkNummer", ""),
            vulnerable_groups=list(s.get("kwetsbareGroepen", [])),
        )
        for s in data.get("betrokkenen", [])
    ]
    # The case carries the company too, so "earlier signals on this company" finds it.
    company = next((s for s in subjects if s.role == SubjectRole.BEDRIJF), None)
    return SignalInput(
        municipality=data["gemeenteCode"],
        # A colleague posting through the API is still the internal route; only systems are partners.
        channel=Channel.PARTNER if actor.has_role(Role.PARTNERSYSTEEM) else Channel.INTERN,
        description=data["omschrijving"],
        observed_on=data.get("waargenomenOp"),
        location_address=data.get("adres", ""),
        location_description=data.get("plaatsomschrijving", ""),
        forms=list(data.get("uitbuitingsvormen") or [ExploitationForm.ONBEKEND.value]),
        minor_involved=data["minderjarig"],
        acute_danger=data["acuutGevaar"],
        company_name=company.name if company else "",
        kvk_number=company.kvk_number if company else "",
        subjects=subjects,
        intake_key=intake_key(actor.pk, idempotency_key),
        intake_fingerprint=fingerprint,
    )
