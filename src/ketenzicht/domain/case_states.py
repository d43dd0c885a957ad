"""The case lifecycle under its first name: `ketenzicht.domain.lifecycles.case` holds it now.

Kept so code written against this module keeps working; new code imports the lifecycle module.
"""

from ketenzicht.domain.lifecycles.base import Transition, TransitionNotAllowed, Venue
from ketenzicht.domain.lifecycles.case import (
    AWAITING_TABLE,
    DECIDED,
    FEEDBACK_OWED,
    GROUPS,
    HISTORIC_LABELS,
    MACHINE,
    PUBLIC_STATUS,
    STATE_LABELS,
    Action,
    CaseFacts,
    CaseState,
    MergeTarget,
    TableDecision,
    allowed_actions,
    apply,
    guard_failures,
    is_read_only,
    is_terminal,
    state_label,
    transition_for,
)

TRANSITIONS = MACHINE.transitions

__all__ = [
    "AWAITING_TABLE", "DECIDED", "FEEDBACK_OWED", "GROUPS", "HISTORIC_LABELS", "MACHINE", "PUBLIC_STATUS",
    "STATE_LABELS", "TRANSITIONS", "Action", "CaseFacts", "CaseState", "MergeTarget", "TableDecision",
    "Transition", "TransitionNotAllowed", "Venue", "allowed_actions", "apply", "guard_failures",
    "is_read_only", "is_terminal", "state_label", "transition_for",
]
