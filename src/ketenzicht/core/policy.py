"""Need-to-know access, decided in one place.

Every view, API operation, export and command asks this module; nothing else decides who may
see or do what. Rules are written per action as small functions of (user, object). Queryset
scoping for lists lives here too, so a list can never show what a detail page would refuse.

The rules, in words:
- A municipality's users see only that municipality's cases; the aandachtsfunctionaris (AF)
  works on them.
- A melder (staff reporter) sees only their own reports and the feedback given on them.
- The ketenregisseur sees aggregates, never personal data.
- The privacy officer reads the audit trail; the beheerder manages users but reads no case.
- Partner systems (API tokens) may submit signals; they read nothing back but their own receipt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from ketenzicht.accounts.models import OrganisationKind, Role

if TYPE_CHECKING:
    from ketenzicht.accounts.models import User
    from ketenzicht.cases.models import Case

Rule = Callable[["User", Any], bool]
_RULES: dict[str, Rule] = {}


def rule(action: str) -> Callable[[Rule], Rule]:
    def register(func: Rule) -> Rule:
        if action in _RULES:
            raise RuntimeError(f"policy rule for {action!r} defined twice")
        _RULES[action] = func
        return func

    return register


def actions() -> list[str]:
    return sorted(_RULES)


def can(user: User | Any, action: str, obj: Any = None) -> bool:
    """True when `user` may perform `action` (on `obj`). Unknown actions are refused loudly."""
    if action not in _RULES:
        raise KeyError(f"unknown policy action {action!r}")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return action in PUBLIC_ACTIONS
    return _RULES[action](user, obj)


def require(user: User | Any, action: str, obj: Any = None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied(action)


# Actions anyone may take, logged in or not (the public report form, health check).
PUBLIC_ACTIONS = frozenset({"public.report", "public.status", "public.info"})


def _is_municipal_staff(user: User) -> bool:
    org = user.organisation
    return org is not None and org.kind == OrganisationKind.GEMEENTE


def _same_municipality(user: User, case: Case) -> bool:
    org = user.organisation
    return org is not None and org.municipality_id is not None and org.municipality_id == case.municipality_id


def _is_af_for(user: User, case: Case | None) -> bool:
    if not user.has_role(Role.AANDACHTSFUNCTIONARIS):
        return False
    return case is None or _same_municipality(user, case)


# --- public ---------------------------------------------------------------------------------
for _action in PUBLIC_ACTIONS:
    rule(_action)(lambda user, obj: True)

rule("app.home")(lambda user, obj: True)
rule("account.self")(lambda user, obj: True)

# --- intake and the reporter's own view ----------------------------------------------------
rule("case.report")(
    lambda user, obj: _is_municipal_staff(user)
    and user.has_role(Role.MELDER, Role.AANDACHTSFUNCTIONARIS)
)
rule("case.list_own_reports")(lambda user, obj: user.has_role(Role.MELDER, Role.AANDACHTSFUNCTIONARIS))


@rule("case.view_own_report")
def _view_own_report(user: User, case: Case | None) -> bool:
    if case is None:
        return user.has_role(Role.MELDER, Role.AANDACHTSFUNCTIONARIS)
    return case.reporter_id == user.pk


# --- the aandachtsfunctionaris' case work ---------------------------------------------------
for _action in (
    "case.queue",
    "case.view",
    "case.enrich",
    "case.transition",
    "case.feedback",
    "case.assign",
    "case.subjects",
    "case.attachments",
):
    rule(_action)(lambda user, obj: _is_af_for(user, obj))

# --- oversight ------------------------------------------------------------------------------
rule("audit.view")(lambda user, obj: user.has_role(Role.PRIVACY_OFFICER))
rule("monitor.aggregates")(lambda user, obj: user.has_role(Role.KETENREGISSEUR, Role.AANDACHTSFUNCTIONARIS))


@rule("users.manage")
def _manage_users(user: User, target: Any) -> bool:
    if not user.has_role(Role.BEHEERDER):
        return False
    if target is None:
        return True
    # A beheerder manages the users of organisations in their own region.
    own = user.organisation
    other = getattr(target, "organisation", target)
    return own is not None and other is not None and own.region_id == other.region_id


# --- API --------------------------------------------------------------------------------------
rule("api.signal.create")(
    lambda user, obj: user.has_role(Role.PARTNERSYSTEEM)
    or (_is_municipal_staff(user) and user.has_role(Role.MELDER, Role.AANDACHTSFUNCTIONARIS))
)
rule("api.signal.list")(lambda user, obj: user.has_role(Role.AANDACHTSFUNCTIONARIS))
rule("api.signal.view")(lambda user, obj: _is_af_for(user, obj))
rule("api.signal.transition")(lambda user, obj: _is_af_for(user, obj))
rule("api.reference")(lambda user, obj: True)


# --- public reports for municipalities off the platform (issue 3) ---------------------------
# The region's beheerder sees that such a report exists (reference, municipality, date, state)
# and forwards it to an on-platform municipality of the same region; never its contents.
@rule("case.unrouted")
def _unrouted(user: User, case: Case | None) -> bool:
    if not user.has_role(Role.BEHEERDER):
        return False
    if case is None:
        return True
    own = user.organisation
    municipality = case.municipality
    return (
        own is not None
        and own.region_id is not None
        and not municipality.on_platform
        and municipality.region_id == own.region_id
    )


def unrouted_cases_visible_to(user: User, queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Reports waiting for a municipality that is not on the platform, in the beheerder's region."""
    own = user.organisation
    if not user.has_role(Role.BEHEERDER) or own is None or own.region_id is None:
        return queryset.none()
    return queryset.filter(municipality__on_platform=False, municipality__region_id=own.region_id)


# --- scoping of lists ------------------------------------------------------------------------
def cases_visible_to(user: User, queryset: QuerySet[Case]) -> QuerySet[Case]:
    """The cases an AF may work on: their own municipality's, nothing else."""
    if not user.has_role(Role.AANDACHTSFUNCTIONARIS):
        return queryset.none()
    org = user.organisation
    if org is None or org.municipality_id is None:
        return queryset.none()
    return queryset.filter(municipality_id=org.municipality_id)


def own_reports(user: User, queryset: QuerySet[Case]) -> QuerySet[Case]:
    return queryset.filter(reporter=user)
