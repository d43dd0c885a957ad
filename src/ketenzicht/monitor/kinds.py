"""Figure kinds other than the monitor's series, published through the protected source.

``casusvoorstellen``: cases on sexual or criminal exploitation proposed to the district's
steering group (LOO), counted once per case in the month of its first proposal, per
municipality. The district KPI dashboard and the reports to the board read it with
``protected.count("casusvoorstellen", …)``; the keys are the signal's own (``SignalKey``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from django.db.models import Min, Q
from django.utils import timezone

from ketenzicht.domain.case_states import Action
from ketenzicht.domain.cellkey import KEY_MODULUS
from ketenzicht.monitor.models import NOT_COUNTED_STATES
from ketenzicht.monitor.protected import KindRow

CASE_PROPOSALS = "casusvoorstellen"
CASE_PROPOSAL = "casusvoorstel"


def case_proposals(after: date | None, through: date) -> Iterator[KindRow]:
    from ketenzicht.cases.models import Case, CaseEvent
    from ketenzicht.monitor.services import signal_keys_assign

    signal_keys_assign()
    first = (
        CaseEvent.objects.filter(kind="transition", action=Action.NAAR_LOO.value)
        .filter(Q(case__form_seksueel=True) | Q(case__form_crimineel=True))
        .values("case_id")
        .annotate(first=Min("at"))
    )
    firsts = {row["case_id"]: timezone.localtime(row["first"]).date().replace(day=1) for row in first}
    cells: dict[tuple[int, int, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    cases = Case.objects.filter(pk__in=list(firsts), municipality__region__isnull=False).exclude(state__in=NOT_COUNTED_STATES).values(
        "pk", "municipality_id", "municipality__region_id", "monitor_keys__record_key", "monitor_keys__block_key"
    )
    for case in cases:
        month = firsts[case["pk"]]
        if month > through or (after is not None and month <= after):
            continue
        acc = cells[(case["municipality__region_id"], case["municipality_id"], month)]
        acc[0] += 1
        acc[1] = (acc[1] + int(case["monitor_keys__record_key"])) % KEY_MODULUS
        acc[2] = (acc[2] + int(case["monitor_keys__block_key"])) % KEY_MODULUS
    for (region_id, municipality_id, month), (n, key_sum, block_sum) in cells.items():
        yield KindRow(region_id, municipality_id, month, CASE_PROPOSAL, n, key_sum, block_sum)
