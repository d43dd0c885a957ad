"""One pure lifecycle per stateful entity: case, referral, control, intervention, Bibob, action,
role request,
linkage run.

Each module holds its states and labels, its annotated transitions, its groupings (open,
waiting, workable, terminal, read-only) and its guards; `base.Machine.apply` decides. The Django
apps apply a transition only through the one transition service per entity (docs/architecture.md).
"""

from ketenzicht.domain.lifecycles import (
    bibob,
    case,
    control,
    intervention,
    linkage_run,
    programme_action,
    referral,
    role_request,
)
from ketenzicht.domain.lifecycles.base import Machine, TransitionNotAllowed, Venue

MACHINES: dict[str, Machine] = {  # type: ignore[type-arg]
    "case": case.MACHINE,
    "referral": referral.MACHINE,
    "control": control.MACHINE,
    "intervention": intervention.MACHINE,
    "bibob": bibob.MACHINE,
    "programme_action": programme_action.MACHINE,
    "role_request": role_request.MACHINE,
    "linkage_run": linkage_run.MACHINE,
}

__all__ = ["MACHINES", "Machine", "TransitionNotAllowed", "Venue"]
