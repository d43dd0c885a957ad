"""A large region's worth of data, for the page budgets of `make bench` (issue 19, item 2).

BENCH DATA ONLY. Rows are written by bulk paths (bulk_create, COPY on PostgreSQL), not through
the services: no policy checks, no per-row audit of the writing itself, no notifications, no
retention checks. That is what makes 100,000 cases and 10,000,000 audit entries take minutes
instead of days, and why `ketenzicht bench_region` refuses to run under the production settings
and on a database that holds cases it did not write. What it writes is shaped as the services
would write it (states, histories, the audit chain sealed with the real key), so the pages and
`ketenzicht audit verify` work on it.
"""

from __future__ import annotations

import hashlib
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Model

from ketenzicht.accounts.models import (
    Municipality,
    Organisation,
    OrganisationKind,
    Region,
    Role,
    User,
    UserRole,
)
from ketenzicht.audit.chain import audit_key
from ketenzicht.cases.models import Attachment, Case, CaseEvent, ReferenceCounter, Subject
from ketenzicht.domain import audit_chain

FORMS = ["arbeid", "seksueel", "crimineel", "onbekend"]
FORM_WEIGHTS = [45, 30, 20, 5]
# Where a case ends up, by age: most older cases are closed; recent ones still open.
OPEN_STATES = ["ontvangen", "in_behandeling"]
MARK = "bench-region"  # the intake key prefix of every generated case


@dataclass
class Scale:
    cases: int = 100_000
    audit: int = 10_000_000
    registrations: int = 1_000_000
    years: int = 10
    seed: int = 2026


@dataclass
class Report:
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - started, 1)


def refuse_reason() -> str:
    """Why generation must not run here ('' when it may)."""
    if "production" in (settings.SETTINGS_MODULE or ""):
        return "Niet onder de productie-instellingen: dit vult een database met testgegevens."
    if Case.objects.exclude(intake_key__startswith=MARK).exists():
        return "De database bevat al echte signalen; gebruik een lege database voor de benchmark."
    return ""


def _copy(model: type[Model], columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Write rows fast: COPY on PostgreSQL, executemany in chunks elsewhere."""
    table = model._meta.db_table
    names = ", ".join(columns)
    n = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        return n
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 - model tables
    with connection.cursor() as cursor:
        chunk: list[tuple[Any, ...]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == 20_000:
                cursor.executemany(sql, chunk)
                n += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            n += len(chunk)
    return n


def _db_uuid(value: uuid.UUID) -> Any:
    return value if connection.vendor == "postgresql" else value.hex


def _db_json(value: Any) -> str:
    import json

    return json.dumps(value)


@dataclass
class World:
    region: Region
    municipalities: list[Municipality]
    weights: list[float]
    afs: dict[int, User]
    orgs: dict[int, Organisation]
    partners: list[Organisation]
    partner_users: list[User]
    privacy_officer: User
    coordinator: User


def _user(username: str, org: Organisation, role: str) -> User:
    # A name as people have one: the audit page finds users by name (audit/forms.py).
    first, _, last = username.partition(".")[2].partition(".")
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"organisation": org, "email": f"{username}@bench.invalid", "first_name": f"Bench {first}", "last_name": last or "Test"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        UserRole.objects.create(user=user, role=role)
    return user


def world(region_slug: str, rng: random.Random) -> World:
    """The region (loaded from its data file), an organisation and an AF per municipality."""
    from ketenzicht.accounts.loaders import load_municipalities, load_region

    load_municipalities()
    region = load_region(region_slug)
    municipalities = list(Municipality.objects.filter(region=region).order_by("cbs_code"))
    orgs: dict[int, Organisation] = {}
    afs: dict[int, User] = {}
    for m in municipalities:
        org = Organisation.objects.filter(municipality=m, kind=OrganisationKind.GEMEENTE).first()
        if org is None:
            org = Organisation.objects.create(slug=f"bench-gemeente-{m.cbs_code.lower()}", name=f"Gemeente {m.name}", kind=OrganisationKind.GEMEENTE, region=region, municipality=m, on_platform=True)
        orgs[m.pk] = org
        afs[m.pk] = _user(f"bench.af.{m.cbs_code.lower()}", org, Role.AANDACHTSFUNCTIONARIS)
    partners = list(Organisation.objects.filter(region=region).exclude(kind=OrganisationKind.GEMEENTE).order_by("slug")[:6])
    partner_users = [_user(f"bench.partner.{i}", org, Role.KETENPARTNER) for i, org in enumerate(partners)]
    anchor = next(iter(orgs.values()))
    privacy = _user("bench.privacy", anchor, Role.PRIVACY_OFFICER)
    coordinator_org = Organisation.objects.filter(region=region, slug__startswith="districtscoordinatie").first() or anchor
    coordinator = _user("bench.regie", coordinator_org, Role.KETENREGISSEUR)
    # Big cities get more: a skewed weight per municipality (reproducible).
    weights = [rng.paretovariate(1.2) for _ in municipalities]
    return World(region, municipalities, weights, afs, orgs, partners, partner_users, privacy, coordinator)


@contextmanager
def _own_timestamps(*models: type[Model]) -> Iterator[None]:
    """Let bulk_create keep the generated dates (auto_now/auto_now_add would stamp today)."""
    saved = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


def _case_rows(w: World, scale: Scale, rng: random.Random, start: datetime, span: float) -> list[Case]:
    # Numbers continue after what the year already has (a second run adds to the first).
    per_year: dict[int, int] = dict(ReferenceCounter.objects.values_list("year", "last"))
    moments = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(scale.cases))
    picks = rng.choices(range(len(w.municipalities)), weights=w.weights, k=scale.cases)
    now = datetime.now(UTC)
    out = []
    for i, (at, mi) in enumerate(zip(moments, picks, strict=True)):
        m = w.municipalities[mi]
        per_year[at.year] = per_year.get(at.year, 0) + 1
        form = rng.choices(FORMS, weights=FORM_WEIGHTS)[0]
        age_days = (now - at).days
        state = "afgesloten" if age_days > 120 and rng.random() < 0.9 else rng.choice(OPEN_STATES)
        case_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        out.append(Case(
            id=case_id, reference=f"KZ-{at.year}-{per_year[at.year]:06d}", municipality=m,
            channel=rng.choice(["intern", "publiek", "partner"]), state=state, created_at=at, updated_at=at,
            reporter=w.afs[m.pk], reporter_organisation=w.orgs[m.pk], assigned_to=w.afs[m.pk] if state != "ontvangen" else None,
            description=f"Signaal {i}: wisselende bewoners, lange werkdagen, paspoorten bij de werkgever.",
            location_address=f"Industrieweg {i % 300 + 1}, {m.name}", address_key=f"industrieweg {i % 300 + 1} {m.name.lower()}",
            forms=[form], **{f"form_{code}": code == form for code in FORMS}, form_orgaan=False,
            minor_involved=rng.choice(["ja", "nee", "onbekend"]), acute_danger=rng.random() < 0.03,
            company_name=f"Bedrijf {i % 5000}" if form == "arbeid" else "", first_assessment_due=(at + timedelta(days=5)).date(),
            feedback_at=at + timedelta(days=30) if state == "afgesloten" else None,
            closed_at=at + timedelta(days=40) if state == "afgesloten" else None, intake_key=f"{MARK}-{case_id.hex}",
        ))
    for year, last in per_year.items():
        ReferenceCounter.objects.update_or_create(year=year, defaults={"last": last})
    return out


def cases(w: World, scale: Scale, rng: random.Random, report: Report) -> list[tuple[Any, int, datetime, str]]:
    """Cases with subjects, histories and small attachments; returns (id, municipality, at, reference)."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=365 * scale.years)
    span = (datetime.now(UTC) - timedelta(days=1) - start).total_seconds()
    made = _case_rows(w, scale, rng, start, span)
    with _own_timestamps(Case, CaseEvent, Attachment), transaction.atomic():
        Case.objects.bulk_create(made, batch_size=2000)
        subjects, events, attachments = [], [], []
        for i, case in enumerate(made):
            subjects.append(Subject(case=case, role="slachtoffer", description="Twaalf mannen"))
            if i % 2 == 0:
                subjects.append(Subject(case=case, role="bedrijf", name=case.company_name or f"Bedrijf {i % 5000}", name_key=f"bedrijf {i % 5000}"))
            af = w.afs[case.municipality_id]
            events.append(CaseEvent(case=case, at=case.created_at, actor=af, actor_label=af.username, kind="intake", to_state="ontvangen", reason="Ontvangen"))
            if case.state != "ontvangen":
                events.append(CaseEvent(case=case, at=case.created_at + timedelta(days=2), actor=af, actor_label=af.username, kind="transition", action="in_behandeling_nemen", from_state="ontvangen", to_state="in_behandeling"))
            if case.state == "afgesloten":
                events.append(CaseEvent(case=case, at=case.closed_at, actor=af, actor_label=af.username, kind="transition", action="afsluiten", from_state="in_behandeling", to_state="afgesloten", reason="Afgerond"))
            if i % 20 == 0:
                attachments.append(_attachment(case, i))
        Subject.objects.bulk_create(subjects, batch_size=5000)
        CaseEvent.objects.bulk_create(events, batch_size=5000)
        Attachment.objects.bulk_create(attachments, batch_size=2000)
    report.counts.update(cases=len(made), subjects=len(subjects), case_events=len(events), attachments=len(attachments))
    return [(c.pk, c.municipality_id, c.created_at, c.reference) for c in made]


def _attachment(case: Case, i: int) -> Attachment:
    data = f"Foto-omschrijving {i}\n".encode()
    name = f"bijlagen/{case.pk}/bench-{i}.txt"
    if not default_storage.exists(name):
        default_storage.save(name, _Bytes(data))
    return Attachment(case=case, file=name, original_name=f"foto-{i}.txt", content_type="text/plain", size=len(data), sha256=hashlib.sha256(data).hexdigest(), uploaded_at=case.created_at)


class _Bytes:
    """The least a storage needs to save bytes (ContentFile without the import dance)."""

    def __init__(self, data: bytes) -> None:
        from django.core.files.base import ContentFile

        self._file = ContentFile(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def referrals_and_agenda(w: World, made: list[tuple[Any, int, datetime, str]], rng: random.Random, report: Report) -> None:
    """Referrals to the region's partners (3 in 10 cases) and agenda items (1 in 5)."""
    from ketenzicht.meetings.models import AgendaItem, Meeting, MeetingKind, Sitting
    from ketenzicht.routing.models import Referral

    refs = []
    for case_id, mun, at, reference in made:
        if rng.random() >= 0.3 or not w.partners:
            continue
        org = rng.choice(w.partners)
        done = (datetime.now(UTC) - at).days > 90
        refs.append(Referral(
            case_id=case_id, organisation=org, recipient_kind="zorg", state="afgerond" if done else "verzonden", question="Kunt u ondersteuning bieden?",
            shared_groups=["signaal"], legal_basis="Artikel 5.2 Wmo", purpose="Hulp aan het slachtoffer", case_reference=reference,
            created_at=at + timedelta(days=3), created_by=w.afs[mun], sent_at=at + timedelta(days=3), sent_by=w.afs[mun], send_method="ketenzicht",
            feedback="Ondersteuning gestart." if done else "", completed_at=at + timedelta(days=60) if done else None,
            # What was sent (a finished referral's snapshot is emptied, as retention does).
            snapshot={} if done else {"signaal": {"omschrijving": "Wisselende bewoners, lange werkdagen."}},
        ))
    # The kind the demo and the region's norms use; made here when neither has run.
    kind, _ = MeetingKind.objects.get_or_create(slug="signalenoverleg", defaults={"name": "Signalenoverleg", "venue": "signalenoverleg"})
    items = []
    with _own_timestamps(Referral, AgendaItem, Sitting), transaction.atomic():
        Referral.objects.bulk_create(refs, batch_size=5000)
        if kind is not None:
            meetings = {m.pk: Meeting.objects.create(kind=kind, municipality=m, name=f"Signalenoverleg {m.name} (bench)", first_date=date(2016, 1, 5)) for m in w.municipalities}
            sittings: dict[tuple[int, str], Sitting] = {}
            for case_id, mun, at, reference in made:
                if rng.random() >= 0.2:
                    continue
                month = f"{at.year}-{at.month:02d}"
                sitting = sittings.get((mun, month))
                if sitting is None:
                    sitting = sittings[(mun, month)] = Sitting(meeting=meetings[mun], date=date(at.year, at.month, 28), start_time=clock(10), created_at=at)
                items.append(AgendaItem(sitting=sitting, case_id=case_id, case_reference=reference, position=len(items) % 30, added_at=at))
            Sitting.objects.bulk_create(list(sittings.values()), batch_size=5000)
            AgendaItem.objects.bulk_create(items, batch_size=5000)
    report.counts.update(referrals=len(refs), agenda_items=len(items))


def audit(w: World, made: list[tuple[Any, int, datetime, str]], n: int, rng: random.Random, report: Report) -> None:
    """`n` audit entries over the cases' lifetimes, sealed into the chain as the sealer would."""
    from ketenzicht.audit.chain import _head
    from ketenzicht.audit.models import AuditEvent

    key = audit_key()
    actors = list(w.afs.values()) + w.partner_users + [w.privacy_officer, w.coordinator]
    per_case = max(1, -(-n // max(1, len(made))))
    columns = ["id", "at", "actor_id", "actor_label", "organisation_id", "action", "object_type", "object_id", "object_label", "fields", "reason", "seq", "prev_hash", "entry_hash"]
    fields_sets = [["signaal"], ["signaal", "betrokkenen"], ["betrokkenen"], ["bijlagen"]]

    def rows(first_id: int, seq: int, prev: str) -> Iterator[tuple[Any, ...]]:
        written = 0
        # In time order, as the chain is (the cases are in time order already); the chain
        # hashes the row's id, so ids are handed out here, after the highest one in use.
        for case_id, mun, at, reference in made:
            for k in range(per_case):
                if written >= n:
                    return
                actor = w.afs[mun] if k % 4 else rng.choice(actors)
                moment = (at + timedelta(minutes=7 * k)).replace(microsecond=0)
                entry = {"id": first_id + written, "at": moment.isoformat(), "actor_id": actor.pk, "actor_label": actor.username,
                         "organisation_id": actor.organisation_id, "action": "view" if k else "create", "object_type": "case",
                         "object_id": str(case_id), "object_label": reference, "fields": fields_sets[k % 4], "reason": ""}
                seq += 1
                digest = audit_chain.entry_hash(key, seq=seq, prev_hash=prev, entry=entry)
                yield (entry["id"], moment, actor.pk, actor.username, actor.organisation_id, entry["action"], "case", str(case_id), reference,
                       _db_json(entry["fields"]), "", seq, prev, digest)
                prev = digest
                written += 1

    with transaction.atomic():
        seq, prev = _head()
        report.counts["audit_entries"] = _copy(AuditEvent, columns, rows(_max_id(AuditEvent) + 1, seq, prev))
        _reset_sequence(AuditEvent)


def _max_id(model: type[Model]) -> int:
    from django.db.models import Max

    return int(model.objects.aggregate(m=Max("id"))["m"] or 0)


def _reset_sequence(model: type[Model]) -> None:
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


def registrations(w: World, scale: Scale, rng: random.Random, report: Report) -> None:
    """Monitor registrations of the partner sources (n = 1 each), then the count table."""
    from ketenzicht.monitor import services
    from ketenzicht.monitor.models import (
        AgeGroup,
        Form,
        Import,
        ImportKind,
        ImportStatus,
        Registration,
        Sector,
        Source,
        new_key,
    )
    from ketenzicht.monitor.sources import ensure_default_sources

    ensure_default_sources()
    partners = list(Source.objects.exclude(slug="eigen-signalen"))
    months = [date(y, m, 1) for y in range(date.today().year - scale.years, date.today().year) for m in range(1, 13)]
    imports = {}
    for source in partners:
        made = Import.objects.create(source=source, kind=ImportKind.REGISTRATIES, status=ImportStatus.GEACCEPTEERD, file_name=f"bench-{source.slug}.csv",
                                     sha256=hashlib.sha256(f"bench-{source.slug}".encode()).hexdigest(), row_count=0, uploaded_by_label="bench")
        imports[source.pk] = _db_uuid(made.pk) if isinstance(made.pk, uuid.UUID) else made.pk
    forms, ages, sectors = [str(f) for f in Form.values], [str(a) for a in AgeGroup.values], [str(s) for s in Sector.values]
    ids = [m.pk for m in w.municipalities]
    pick: Callable[[], int] = lambda: rng.choices(ids, weights=w.weights)[0]  # noqa: E731

    def rows() -> Iterator[tuple[Any, ...]]:
        for i in range(scale.registrations):
            s = partners[i % len(partners)]
            yield (imports[s.pk], s.pk, f"B{i}", rng.choice(months), pick(), s.default_unit, rng.choice(forms), rng.choice(ages), rng.choice(sectors), 1,
                   new_key(), new_key())

    # The Cell Key Method's keys are drawn per row as the model does (monitor.models.new_key).
    columns = ["source_import_id", "source_id", "record_id", "period_month", "municipality_id", "unit", "form", "age_group", "sector", "n",
               "record_key", "block_key"]
    with transaction.atomic():
        report.counts["registrations"] = _copy(Registration, columns, rows())
    report.counts["count_rows"] = services.counts_refresh(sources=partners)
    services.counts_refresh()  # own signals (the generated cases) into the count table as well


def generate(region_slug: str, scale: Scale) -> Report:
    rng = random.Random(scale.seed)
    report = Report()
    with report.step("region_s"):
        w = world(region_slug, rng)
    with report.step("cases_s"):
        made = cases(w, scale, rng, report)
    with report.step("referrals_agenda_s"):
        referrals_and_agenda(w, made, rng, report)
    with report.step("audit_s"):
        audit(w, made, scale.audit, rng, report)
    with report.step("registrations_s"):
        registrations(w, scale, rng, report)
    with report.step("analyze_s"), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    report.counts["municipalities"] = len(w.municipalities)
    return report
