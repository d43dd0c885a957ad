"""Linking a region's encoded registrations into persons, as a background job with progress.

``run_linkage`` is the body of the task (``tasks.link_region_task``): it claims a waiting run,
reads every encoded registration of the region from accepted imports, links them
(``domain.linkage.linkage_encoded``), computes the figures per year and district
(``domain.persons``) and stores the result — unless a newer run already finished (then this one
is marked as replaced). Progress goes to the run row in its own small transactions, so the
imports page can show it while the job works.

``ensure_current`` is what a command uses: it runs a waiting linkage itself when no worker has
claimed it, or waits for the running one.
"""

from __future__ import annotations

import io
import logging
import time
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ketenzicht.accounts.models import District, Region
from ketenzicht.accounts.system import system_actor
from ketenzicht.domain import persons as persons_domain
from ketenzicht.domain.lifecycles.linkage_run import Action as RunAction
from ketenzicht.domain.linkage import EncodedSet
from ketenzicht.domain.linkage.api import linkage_encoded
from ketenzicht.domain.linkage.bloom import ENCODED_BYTES
from ketenzicht.domain.linkage.clustering import Edges
from ketenzicht.monitor.models import ImportStatus, Source
from ketenzicht.persons import services
from ketenzicht.persons.models import Encoding, LinkageRun, PersonsFigure, RunStatus

log = logging.getLogger(__name__)
JOB = "koppeling"


def _progress(run: LinkageRun, percent: int, step: str) -> None:
    LinkageRun.objects.filter(pk=run.pk).update(progress=percent, step=step[:100])


def _claim(run_id: int, actor: Any) -> LinkageRun | None:
    return services.linkage_run_transition(
        actor=actor, run_id=run_id, action=RunAction.STARTEN, now=timezone.now(), started_at=timezone.now(), step="registraties laden"
    )


def _load(region: Region) -> dict[str, Any]:
    rows = list(
        Encoding.objects.filter(region=region, registration__source_import__status=ImportStatus.GEACCEPTEERD)
        .order_by("registration_id")
        .values_list("registration_id", "registration__source_id", "registration__period_month", "registration__municipality__district_id", "clk")
    )
    n = len(rows)
    packed = np.frombuffer(b"".join(bytes(r[4]) for r in rows), dtype=np.uint8).reshape(n, ENCODED_BYTES) if n else np.zeros((0, ENCODED_BYTES), np.uint8)
    return {
        "ids": np.array([r[0] for r in rows], dtype=np.int64),
        "source_ids": np.array([r[1] for r in rows], dtype=np.int64),
        "years": np.array([r[2].year for r in rows], dtype=np.int64),
        "districts": np.array([r[3] or -1 for r in rows], dtype=np.int64),
        "packed": packed,
    }


def run_linkage(run_id: int, *, bootstrap: int | None = None) -> LinkageRun | None:
    """Claim and carry out one waiting run; ``None`` when another worker has it already.

    ``bootstrap``: replicates per estimate (default ``settings.PERSONS_BOOTSTRAP``).
    """
    actor = system_actor(JOB)
    run = _claim(run_id, actor)
    if run is None:
        return None
    start = time.perf_counter()
    try:
        data = _load(run.region)
        _progress(run, 5, f"{len(data['ids']):,} registraties koppelen".replace(",", "."))
        keys = [(str(s), str(i)) for s, i in zip(data["source_ids"].tolist(), data["ids"].tolist(), strict=True)]

        def report(share: float, step: str) -> None:
            _progress(run, 5 + int(60 * share), step)

        result = linkage_encoded(EncodedSet(keys, data["packed"], None), progress=report)
        _progress(run, 70, "personen en schattingen per jaar")
        figures = _figures(run.region, data, result.labels, result.edges, bootstrap)
        _finish(run, actor, data, result.labels, result.edges, figures, time.perf_counter() - start)
    except Exception as exc:  # a failed job is recorded, never left "bezig"
        log.exception("linkage run %s failed", run.pk)
        services.linkage_run_transition(
            actor=actor, run_id=run.pk, action=RunAction.MISLUKKEN, now=timezone.now(), reason=type(exc).__name__,
            finished_at=timezone.now(), error=type(exc).__name__, step="mislukt",
        )  # fmt: skip
        raise
    return LinkageRun.objects.get(pk=run.pk)


def _figures(
    region: Region, data: dict[str, Any], labels: np.ndarray, edges: Edges, bootstrap: int | None
) -> list[tuple[int, int | None, dict[str, Any]]]:
    sources = list(Source.objects.order_by("position", "slug").values_list("pk", "slug"))
    index = {pk: i for i, (pk, _) in enumerate(sources)}
    linked = persons_domain.LinkedRegion(
        sources=tuple(slug for _, slug in sources),
        source=np.array([index[s] for s in data["source_ids"].tolist()], dtype=np.int64),
        year=data["years"],
        area=data["districts"],
        person=labels,
        edges=edges,
    )
    replicates = int(bootstrap or getattr(settings, "PERSONS_BOOTSTRAP", 200))
    out = []
    districts = set(District.objects.filter(region=region).values_list("pk", flat=True))
    for year in sorted(set(data["years"].tolist())):
        out.append((year, None, persons_domain.figures(linked, year, bootstrap=replicates)))
        in_year = data["districts"][data["years"] == year]
        # Districts: fewer replicates (their intervals are wide anyway), so a region with many
        # districts does not wait long for its own figure.
        for district in sorted(set(in_year.tolist()) & districts):
            out.append((year, district, persons_domain.figures(linked, year, area=district, bootstrap=max(50, replicates // 2))))
    return out


def _result_blob(data: dict[str, Any], labels: np.ndarray, edges: Edges) -> bytes:
    ids = data["ids"]
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer, registration=ids, person=labels, left=ids[edges.left], right=ids[edges.right], probability=edges.score
    )
    return buffer.getvalue()


def _finish(
    run: LinkageRun, actor: Any, data: dict[str, Any], labels: np.ndarray, edges: Edges,
    figures: list[tuple[int, int | None, dict[str, Any]]], seconds: float,
) -> None:  # fmt: skip
    with transaction.atomic():
        Region.objects.select_for_update().get(pk=run.region_id)
        newer = LinkageRun.objects.filter(
            region_id=run.region_id, status=RunStatus.KLAAR, requested_at__gt=run.requested_at
        ).exists()
        now = timezone.now()
        fields: dict[str, Any] = {"finished_at": now, "seconds": round(seconds, 2), "progress": 100}
        if newer:
            services.linkage_run_transition(actor=actor, run_id=run.pk, action=RunAction.VERVANGEN, now=now, step="vervangen", **fields)
            return
        persons = len(set(labels.tolist()))
        services.linkage_run_transition(
            actor=actor, run_id=run.pk, action=RunAction.AFRONDEN, now=now,
            reason=f"{len(labels)} registraties, {persons} personen",
            step="klaar", registrations=len(labels), persons=persons, result=_result_blob(data, labels, edges), **fields,
        )  # fmt: skip
        PersonsFigure.objects.bulk_create(
            PersonsFigure(run_id=run.pk, year=year, district_id=district, data=payload) for year, district, payload in figures
        )
        # Older results are no longer read; drop them.
        older = LinkageRun.objects.filter(region_id=run.region_id, status=RunStatus.KLAAR, requested_at__lt=run.requested_at)
        PersonsFigure.objects.filter(run__in=older).delete()
        older.update(result=None)


def latest(region: Region) -> LinkageRun | None:
    """The newest finished run of a region."""
    return LinkageRun.objects.filter(region=region, status=RunStatus.KLAAR).order_by("-requested_at", "-id").first()


def pending(region: Region) -> LinkageRun | None:
    """A waiting or running run of a region, the newest first."""
    return LinkageRun.objects.filter(region=region, status__in=[RunStatus.WACHTEND, RunStatus.BEZIG]).order_by("-requested_at", "-id").first()


def ensure_current(
    region: Region, *, timeout: float = 1800.0, poll: float = 2.0, wait: Any = time.sleep, bootstrap: int | None = None
) -> LinkageRun | None:
    """Bring the region's linkage up to date: run waiting runs here, wait for running ones."""
    deadline = time.monotonic() + timeout
    while (run := pending(region)) is not None:
        if run.status == RunStatus.WACHTEND:
            run_linkage(run.pk, bootstrap=bootstrap)
            continue
        if time.monotonic() > deadline:
            raise TimeoutError("linkage still running")
        wait(poll)
    return latest(region)
