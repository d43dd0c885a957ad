"""core/inserts.py writes the rows `save()` writes (issue 19): the same values in every column,
the signals `save()` sends, primary keys set; on PostgreSQL in one statement."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_save, pre_save
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketenzicht.audit.models import AuditAction, AuditEvent
from ketenzicht.audit.services import audit_entry
from ketenzicht.cases.models import Case, CaseEvent, Channel, Subject, UnannouncedSignal
from ketenzicht.core.inserts import NewRow, insert_new
from tests.support import Cast

pytestmark = pytest.mark.django_db


def _rows(cast: Cast, municipality: Any, reference: str) -> list[Any]:
    case = Case(
        reference=reference, municipality=municipality, channel=Channel.PARTNER, reporter=cast.pim,
        reporter_organisation=cast.pim.organisation, description="Veel mensen in één woning.", forms=["arbeid"],
        form_arbeid=True, first_assessment_due=timezone.localdate() + timedelta(days=5), intake_key=f"k-{reference}",
    )
    subject = Subject(case=case, role="slachtoffer", description="Meerdere mannen", vulnerable_groups=["ongedocumenteerd"], name_key="")
    event = CaseEvent(case=case, actor=cast.pim, actor_label="Pim", organisation=cast.pim.organisation, kind="intake", to_state="ontvangen", reason="Ontvangen")
    entry = audit_entry(actor=cast.pim, action=AuditAction.CREATE, object_type="case", object_id=case.pk, object_label=reference, fields=["signaal"])
    return [case, subject, event, entry]


def _stored(row: Any) -> dict[str, Any]:
    fresh = type(row).objects.get(pk=row.pk)
    skip = {"id", "case", "reference", "created_at", "updated_at", "at", "intake_key", "object_id", "object_label", "seq", "prev_hash", "entry_hash", "first_assessment_due"}
    return {k: v for k, v in model_to_dict(fresh).items() if k not in skip}


@pytest.mark.parametrize("prepared", [True, False], ids=["prepared", "plain"])
def test_the_rows_are_the_rows_save_writes(cast: Cast, settings: Any, prepared: bool) -> None:
    settings.DB_PREPARE_INSERTS = prepared
    heard: list[tuple[str, str, bool]] = []

    def listen(signal: str) -> Any:
        def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
            heard.append((signal, sender.__name__, kwargs.get("created", False)))

        return receiver

    pre, post = listen("pre"), listen("post")
    pre_save.connect(pre, dispatch_uid="test-inserts-pre")
    post_save.connect(post, dispatch_uid="test-inserts-post")
    try:
        # Two municipalities in two regions.
        for municipality, n in ((cast.zoeterwoude, 1), (cast.vlissingen, 2)):
            heard.clear()
            by_save = _rows(cast, municipality, f"KZ-2026-90000{n}")
            for row in by_save:
                row.save()
            saved_signals = list(heard)
            heard.clear()
            by_insert = _rows(cast, municipality, f"KZ-2026-80000{n}")
            with CaptureQueriesContext(connection) as queries:
                insert_new(by_insert)
            # pre and post for each row, created=True; all pre before all post, as the rows go together.
            assert sorted(heard) == sorted(saved_signals) and len(heard) == 8
            writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "WITH"))]
            assert len(writes) == (1 if connection.vendor == "postgresql" else 4), writes
            for saved, inserted in zip(by_save, by_insert, strict=True):
                assert inserted.pk is not None and not inserted._state.adding
                assert _stored(inserted) == _stored(saved), type(saved).__name__
            case = Case.objects.get(pk=by_insert[0].pk)
            assert case.created_at is not None and case.created_at == by_insert[0].created_at
            assert case.municipality_id == municipality.pk and case.subjects.count() == 1 and case.events.count() == 1
            assert AuditEvent.objects.get(pk=by_insert[3].pk).object_id == str(case.pk)
    finally:
        pre_save.disconnect(dispatch_uid="test-inserts-pre")
        post_save.disconnect(dispatch_uid="test-inserts-post")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_the_statement_is_planned_once_per_connection_and_shape(cast: Cast, settings: Any) -> None:
    settings.DB_PREPARE_INSERTS = True

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ['WITH i0 AS (INSERT INTO "cases_case"%'])
            return [row[0] for row in cursor.fetchall()]

    before = len(prepared())
    for n, municipality in enumerate((cast.zoeterwoude, cast.vlissingen, cast.zoeterwoude)):
        insert_new(_rows(cast, municipality, f"KZ-2026-70000{n}"))
    statements = prepared()
    # Three intakes of one shape (a case with one subject): one plan; its values are parameters.
    assert len(statements) == before + 1
    assert "$1" in statements[-1] and "Veel mensen" not in statements[-1]
    assert Case.objects.filter(reference__startswith="KZ-2026-70000").count() == 3


def test_a_value_filled_in_later_lands_in_every_row_that_holds_it(cast: Cast) -> None:
    """The reference number is taken inside the transaction, after the rows were prepared."""
    from ketenzicht.core.inserts import Later, insert_prepare

    reference = Later()
    rows = _rows(cast, cast.vlissingen, "unused")
    rows[0].reference = reference
    rows[3].object_label = reference
    prepared = insert_prepare(rows)
    reference.value = "KZ-2026-600001"
    prepared.run()
    assert rows[0].reference == "KZ-2026-600001" and rows[3].object_label == "KZ-2026-600001"
    assert Case.objects.get(pk=rows[0].pk).reference == "KZ-2026-600001"
    assert AuditEvent.objects.get(pk=rows[3].pk).object_label == "KZ-2026-600001"


def test_a_value_never_filled_in_writes_nothing(cast: Cast) -> None:
    from ketenzicht.core.inserts import Later, insert_prepare

    rows = _rows(cast, cast.zoeterwoude, "unused")
    rows[0].reference = Later()
    with pytest.raises(ValueError, match="Case.reference"):
        insert_prepare(rows).run()
    assert not Case.objects.filter(pk=rows[0].pk).exists()


def _numbers_without_gaps(cast: Cast) -> None:
    from ketenzicht.cases.services import SignalInput, case_create

    def deliver(key: str, municipality: Any) -> Any:
        data = SignalInput(municipality=municipality, channel=Channel.PARTNER, description="Busjes om 5 uur.", intake_key=key)
        return case_create(actor=cast.pim, data=data)

    first, created = deliver("k-1", cast.zoeterwoude)
    again, created_again = deliver("k-1", cast.zoeterwoude)
    second, _ = deliver("k-2", cast.vlissingen)
    assert created and not created_again and again.pk == first.pk and again.reference == first.reference
    year, number = first.reference.rsplit("-", 1)[0], int(first.reference.rsplit("-", 1)[1])
    assert second.reference == f"{year}-{number + 1:06d}"
    stored = AuditEvent.objects.get(object_type="case", object_id=str(second.pk), action=AuditAction.CREATE)
    assert stored.object_label == second.reference == Case.objects.get(pk=second.pk).reference


def test_inside_a_transaction_a_repeat_gives_its_reference_number_back(cast: Cast) -> None:
    """On PostgreSQL the number is taken in the case's own statement (a savepoint here)."""
    assert connection.in_atomic_block
    _numbers_without_gaps(cast)


@pytest.mark.django_db(transaction=True)
def test_in_autocommit_a_repeat_gives_its_reference_number_back(cast: Cast) -> None:
    """As a request runs: on PostgreSQL the one statement is its own transaction (no BEGIN or
    COMMIT); a repeat that meets the unique key rolls its number back with it."""
    assert not connection.in_atomic_block
    with CaptureQueriesContext(connection) as queries:
        _numbers_without_gaps(cast)
    if connection.vendor == "postgresql":
        # (The tests' task queue runs the telling and the refresh at once, in transactions of their own.)
        sql = [q["sql"] for q in queries.captured_queries]
        writes = [i for i, text in enumerate(sql) if text.startswith("WITH l0 AS (INSERT INTO cases_referencecounter")]
        assert len(writes) == 3
        for i in writes:
            assert not sql[i - 1].startswith(("BEGIN", "SAVEPOINT")) and not sql[i + 1].startswith(("COMMIT", "RELEASE")), sql[i - 1 : i + 2]


# --- rows by value (NewRow): prepared as save() prepares an instance made of the same values ------
def _by_value(rows: list[Any]) -> list[NewRow]:
    """The same rows as NewRows: each instance's own column values, without the defaults' help
    (the case's and the history line's defaults are left for the preparing to fill in)."""
    out = []
    for row in rows:
        left_out = {"state", "at", "minor_involved", "form_seksueel"} | ({"id"} if not isinstance(row, Case) else set())
        values = {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields if f.attname not in left_out}
        out.append(NewRow(type(row), values, instance=isinstance(row, Case)))
    return out


def test_rows_by_value_are_the_rows_save_writes(cast: Cast) -> None:
    """Two municipalities in two regions; the case comes back as an instance, as read from the database."""
    for municipality, n in ((cast.zoeterwoude, 1), (cast.vlissingen, 2)):
        by_save = _rows(cast, municipality, f"KZ-2026-50000{n}")
        for row in by_save:
            row.save()
        by_value = _by_value(_rows(cast, municipality, f"KZ-2026-40000{n}"))
        with CaptureQueriesContext(connection) as queries:
            insert_new(by_value)
        writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "WITH"))]
        assert len(writes) == (1 if connection.vendor == "postgresql" else 4), writes
        for saved, row in zip(by_save, by_value, strict=True):
            pk = row.values[type(saved)._meta.pk.attname]
            assert pk is not None
            assert _stored(type(saved).objects.get(pk=pk)) == _stored(saved), type(saved).__name__
        case = by_value[0].instance
        assert isinstance(case, Case) and not case._state.adding and case.reference == f"KZ-2026-40000{n}"
        fresh = Case.objects.get(pk=case.pk)
        assert {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields} == {
            f.attname: getattr(fresh, f.attname) for f in Case._meta.concrete_fields
        }
        # What the defaults and auto_now filled in is in the values too, as on an instance after save().
        assert by_value[0].values["state"] == "ontvangen" and by_value[0].values["created_at"] == fresh.created_at
        assert CaseEvent.objects.get(pk=by_value[2].values["id"]).at == by_value[2].values["at"]


def test_a_row_by_value_sends_post_save_with_the_saved_instance_and_pre_save_listeners_get_an_instance(cast: Cast) -> None:
    heard: list[tuple[str, str, Any]] = []

    def post(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        heard.append(("post", sender.__name__, (instance.pk, instance._state.adding, created)))

    def pre(sender: Any, instance: Any, **kwargs: Any) -> None:
        instance.description = instance.description + " (gezien door pre_save)"
        heard.append(("pre", sender.__name__, instance._state.adding))

    post_save.connect(post, sender=CaseEvent, dispatch_uid="test-by-value-post")
    try:
        rows = _by_value(_rows(cast, cast.vlissingen, "KZ-2026-300001"))
        insert_new(rows)
        assert heard == [("post", "CaseEvent", (rows[2].values["id"], False, True))]
        assert rows[1].instance is None  # nobody listens for subjects and nobody asked
        pre_save.connect(pre, sender=Subject, dispatch_uid="test-by-value-pre")
        heard.clear()
        rows = _by_value(_rows(cast, cast.zoeterwoude, "KZ-2026-300002"))
        insert_new(rows)
        # A pre_save listener may change the instance: the row goes as an instance, as save() writes it.
        assert ("pre", "Subject", True) in heard
        subject = Subject.objects.get(pk=rows[1].values["id"])
        assert subject.description.endswith("(gezien door pre_save)") and rows[1].instance is not None
        assert rows[1].values["description"] == subject.description
    finally:
        post_save.disconnect(dispatch_uid="test-by-value-post", sender=CaseEvent)
        pre_save.disconnect(dispatch_uid="test-by-value-pre", sender=Subject)


def test_a_row_by_value_with_a_name_that_is_no_column_is_refused(cast: Cast) -> None:
    with pytest.raises(TypeError, match="case"):
        insert_new([NewRow(UnannouncedSignal, {"case": cast.zoeterwoude, "stored_at": timezone.now()})])
