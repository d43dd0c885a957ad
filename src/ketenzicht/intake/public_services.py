"""The public report path: receipt codes, submitting, the reporter's status page and additions,
and forwarding reports for municipalities that are not on the platform.

Receipt code design (see docs/public-reporting.md):
- Every rendered public form carries a fresh form key of 256 bits from `secrets`.
- The receipt code is derived from that key with a keyed PRF (HMAC-SHA256 with SECRET_KEY) and
  written as 16 Crockford base-32 symbols (80 bits) in four groups, e.g. ``K7M2-4QXP-9D3F-ZT6W``.
  Deriving it (instead of drawing it after saving) lets a double submit — whose first response
  the browser throws away — show the same code again without storing the code anywhere.
- The database holds neither the form key nor the code: the case's intake key is another HMAC of
  the form key, and `Case.receipt_hash` is HMAC-SHA256(SECRET_KEY, code).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from ketenzicht.accounts.models import Municipality
from ketenzicht.accounts.selectors import municipalities_with_af, outside_platform
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.cases.models import Case, Channel, ReporterAddition
from ketenzicht.cases.services import (
    AttachmentInput,
    CaseError,
    CaseReadOnly,
    SignalInput,
    case_addition_add,
    case_create,
    case_forward_unrouted,
    reporter_question_answer,
)
from ketenzicht.core import policy
from ketenzicht.core.errors import ServiceError
from ketenzicht.domain.lifecycles.case import PUBLIC_STATUS, CaseState, is_read_only

logger = logging.getLogger(__name__)

# Crockford base 32: no I, L, O or U, so a code read aloud or copied by hand stays unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_SYMBOLS = 16  # 16 × 5 bits = 80 bits
CODE_GROUP = 4
FORM_KEY_BYTES = 32
_FORM_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{40,64}$")
# Reading aids: what people type for the symbols the alphabet leaves out.
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
MAX_ADDITION_CHARS = 5000


def new_form_key() -> str:
    """A fresh key for one rendered public form (256 bits from `secrets`)."""
    return secrets.token_urlsafe(FORM_KEY_BYTES)


def is_form_key(value: str) -> bool:
    return bool(_FORM_KEY_RE.match(value or ""))


def _mac(purpose: str, value: str) -> bytes:
    # One SECRET_KEY, separate purposes: a value derived for one use is useless for another.
    return hmac.new(settings.SECRET_KEY.encode(), f"ketenzicht:{purpose}:{value}".encode(), hashlib.sha256).digest()


def receipt_code_for(form_key: str) -> str:
    """The receipt code that belongs to a form key: 80 bits, four groups of four symbols."""
    number = int.from_bytes(_mac("receipt-code", form_key)[:10], "big")  # exactly 80 bits
    symbols = []
    for _position in range(CODE_SYMBOLS):
        number, index = divmod(number, 32)
        symbols.append(CODE_ALPHABET[index])
    plain = "".join(reversed(symbols))
    return "-".join(plain[i : i + CODE_GROUP] for i in range(0, CODE_SYMBOLS, CODE_GROUP))


def random_receipt_code() -> str:
    """A well-formed code that belongs to no report (shown to bots that fill the honeypot)."""
    return receipt_code_for(new_form_key())


def normalise_code(raw: str) -> str | None:
    """The 16 symbols of a code as typed (any case, spaces or dashes), or None when malformed."""
    cleaned = re.sub(r"[\s\-‐-―_.]", "", (raw or "").upper()).translate(_CONFUSABLE)
    if len(cleaned) != CODE_SYMBOLS or any(c not in CODE_ALPHABET for c in cleaned):
        return None
    return cleaned


def receipt_hash(code: str) -> str:
    """HMAC-SHA256(SECRET_KEY, code) in hex: all the database keeps of a receipt code."""
    normalised = normalise_code(code) or ""
    return hmac.new(settings.SECRET_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def intake_key_for(form_key: str) -> str:
    # Stored for idempotency; keyed, so a database reader cannot turn it back into a code.
    return "pub:" + _mac("intake-key", form_key).hex()


@dataclass
class PublicReport:
    """What the reporter typed, cleaned by the public form."""

    form_key: str
    municipality: Municipality
    description: str
    location_address: str = ""
    location_description: str = ""
    observed_on: Any = None
    forms: list[str] | None = None
    acute_danger: bool = False
    photos: list[AttachmentInput] | None = None
    contact_email: str = ""
    contact_phone: str = ""
    language: str = "nl"


@dataclass
class PublicReceipt:
    code: str
    created: bool
    acute_danger: bool
    mail_sent_to_reporter: bool


def public_report_submit(*, report: PublicReport, status_url: str) -> PublicReceipt:
    """Store a public report once per form key and return its receipt code.

    Nothing about the sender's connection (IP address, user agent) reaches this function, so
    nothing of it can be stored. A repeated form key (double click, reload) returns the same
    receipt without a second case and without a second mail.
    """
    if not is_form_key(report.form_key):
        raise CaseError("Ongeldig formulier; laad de pagina opnieuw.")
    code = receipt_code_for(report.form_key)
    data = SignalInput(
        municipality=report.municipality,
        channel=Channel.PUBLIEK,
        description=report.description,
        observed_on=report.observed_on,
        location_address=report.location_address,
        location_description=report.location_description,
        forms=list(report.forms or []) or ["onbekend"],
        acute_danger=report.acute_danger,
        attachments=list(report.photos or []),
        intake_key=intake_key_for(report.form_key),
        reporter_language=report.language,
        reporter_contact_email=report.contact_email.strip(),
        reporter_contact_phone=report.contact_phone.strip(),
        # Stored with the case itself: a stored report always has its receipt hash.
        receipt_hash=receipt_hash(code),
    )
    if outside_platform(report.municipality):
        # The form tells the reporter before sending; a request that skips the form is refused too.
        raise CaseError("Deze gemeente werkt niet met dit meldpunt; er is niets opgeslagen.")
    # One transaction (case_create's): the notifications follow from the worker (intake/tasks.py).
    case, created = case_create(actor=None, data=data)
    mail = bool(created and report.contact_email.strip())
    if mail:
        case_id = case.pk
        transaction.on_commit(lambda: send_receipt_mail(case_id=case_id, code=code, status_url=status_url))
    return PublicReceipt(code=code, created=created, acute_danger=case.acute_danger, mail_sent_to_reporter=mail)


def send_receipt_mail(*, case_id: object, code: str, status_url: str) -> None:
    """The confirmation mail: the receipt code and where to use it; never what was reported."""
    case = Case.objects.filter(pk=case_id).only("pk", "reporter_contact_email", "reporter_language").first()
    if case is None or not case.reporter_contact_email:
        return
    with translation.override(case.reporter_language or "nl"):
        subject = _("Uw melding is ontvangen")
        body = _(
            "Dank u voor uw melding. Wij hebben die goed ontvangen.\n\n"
            "Uw ontvangstcode is: %(code)s\n\n"
            "Met deze code kunt u volgen wat er met uw melding gebeurt en later informatie "
            "toevoegen:\n%(url)s\n\n"
            "Bewaar de code goed en deel hem niet: iedereen met deze code kan de voortgang van uw "
            "melding zien.\n\n"
            "Is iemand in acuut gevaar? Bel dan direct 112.\n\n"
            "Dit bericht is automatisch verstuurd; u kunt er niet op antwoorden."
        ) % {"code": code, "url": status_url}
    try:
        send_mail(subject, body, None, [case.reporter_contact_email])
    except OSError:
        # The report is saved; a failed mail must not undo it. Log the id, never the address.
        logger.warning("receipt mail failed for case %s", case.pk)


# --- the status page --------------------------------------------------------------------------
@dataclass
class PublicStatus:
    """Everything a code holder may see: the public step and the feedback. Nothing else."""

    step: str  # ontvangen | in_behandeling | afgerond
    feedback: str
    received_on: datetime
    can_add: bool
    # The AF's questions to this reporter (issue 16 item 4), oldest first.
    questions: list[PublicQuestion] = field(default_factory=list)


@dataclass
class PublicQuestion:
    id: int
    asked_on: datetime
    question: str
    answer: str
    answered: bool


def _case_for_code(raw_code: str) -> Case | None:
    """Look a code up with the same work whether it is malformed, unknown or known.

    The HMAC is always computed (over an empty string for a malformed code) and exactly one
    indexed query always runs; the final comparison is constant-time.
    """
    normalised = normalise_code(raw_code)
    digest = receipt_hash(normalised or "")
    # A malformed code still queries, for a hash no row can have (empty codes are never issued).
    candidate = Case.objects.filter(channel=Channel.PUBLIEK, receipt_hash=digest).first()
    stored = candidate.receipt_hash if candidate is not None else "0" * 64
    if normalised is not None and hmac.compare_digest(stored, digest):
        return candidate
    return None


def public_status(*, code: str) -> PublicStatus | None:
    """The public progress for a receipt code, or None (malformed and unknown look the same)."""
    case = _case_for_code(code)
    if case is None:
        return None
    audit_record(actor=None, action=AuditAction.VIEW, object_type="case", object_id=case.pk, object_label=case.reference, fields=["publieke_status"], reason="ontvangstcode")
    received_on = case.created_at
    questions = [PublicQuestion(id=q.pk, asked_on=q.asked_at, question=q.question, answer=q.answer, answered=q.answered_at is not None)
                 for q in case.questions.all()]
    if case.state == CaseState.SAMENGEVOEGD and case.merged_into_id is not None:
        # A duplicate report follows the case it was merged into: its progress and feedback.
        case = Case.objects.get(pk=case.merged_into_id)
    state = CaseState(case.state)
    return PublicStatus(
        step=PUBLIC_STATUS[state],
        feedback=case.feedback_message if case.feedback_at else "",
        received_on=received_on,
        can_add=not is_read_only(state),
        questions=questions,
    )


class AdditionRefused(ServiceError):
    """The addition cannot be stored; the message is shown to the reporter."""


def reporter_addition_add(*, code: str, text: str) -> ReporterAddition:
    """Add the reporter's new information to their report (with the receipt code)."""
    text = (text or "").strip()
    if not text:
        raise AdditionRefused(_("Schrijf wat u wilt toevoegen."))
    if len(text) > MAX_ADDITION_CHARS:
        raise AdditionRefused(_("Uw aanvulling is te lang: maximaal %(max)s tekens.") % {"max": MAX_ADDITION_CHARS})
    case = _case_for_code(code)
    if case is None:
        raise AdditionRefused(_("Met deze code vonden we geen melding. Controleer de code en probeer het opnieuw."))
    try:
        return case_addition_add(case=case, text=text)
    except CaseReadOnly:
        raise AdditionRefused(_("Deze melding is afgerond; aanvullen kan niet meer. Heeft u nieuwe informatie? Doe dan een nieuwe melding.")) from None


def reporter_answer_add(*, code: str, question_id: int, answer: str) -> None:
    """The reporter answers the AF's question (with the receipt code); a repeat keeps the first answer."""
    answer = (answer or "").strip()
    if not answer:
        raise AdditionRefused(_("Schrijf uw antwoord."))
    if len(answer) > MAX_ADDITION_CHARS:
        raise AdditionRefused(_("Uw antwoord is te lang: maximaal %(max)s tekens.") % {"max": MAX_ADDITION_CHARS})
    case = _case_for_code(code)
    if case is None:
        raise AdditionRefused(_("Met deze code vonden we geen melding. Controleer de code en probeer het opnieuw."))
    try:
        reporter_question_answer(case=case, question_id=question_id, answer=answer)
    except CaseReadOnly:
        raise AdditionRefused(_("Deze melding is afgerond; antwoorden kan niet meer.")) from None
    except ServiceError:
        raise AdditionRefused(_("Deze vraag hoort niet bij uw melding.")) from None


# --- the region's queue: signals for municipalities without an AF -------------------------------
def unrouted_cases(user: Any) -> QuerySet[Case]:
    """Signals for municipalities without an AF in the user's region (no contents): policy decides."""
    return policy.unrouted_cases_visible_to(
        user, Case.objects.select_related("municipality").only("pk", "reference", "created_at", "state", "municipality__name", "municipality__region_id", "municipality__on_platform")
    ).order_by("created_at")


def forward_targets(case: Case) -> QuerySet[Municipality]:
    """The municipalities of the case's region with an AF: where the region's queue forwards to."""
    region_id = case.municipality.region_id
    if region_id is None:
        return Municipality.objects.none()
    return municipalities_with_af().filter(region_id=region_id).order_by("name")


def unrouted_rows(user: Any) -> list[dict[str, Any]]:
    """Each unrouted report with where it may go: one query for the targets of every region."""
    cases = list(unrouted_cases(user))
    regions = {c.municipality.region_id for c in cases} - {None}
    targets: dict[Any, list[Municipality]] = {r: [] for r in regions}
    for m in municipalities_with_af().filter(region_id__in=regions).order_by("name"):
        targets[m.region_id].append(m)
    return [{"case": c, "targets": targets.get(c.municipality.region_id, [])} for c in cases]


__all__ = ["case_forward_unrouted"]  # the service lives in cases.services; kept importable here
