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
    if user.has_role(Role.SYSTEEM):
        return _system_may(user, action)
    return _RULES[action](user, obj)


def require(user: User | Any, action: str, obj: Any = None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied(action)


# --- the system actor (section of the lifecycles lane, issue 18) -----------------------------
# Commands and jobs act as `accounts.system.system_actor(job)`, never as None and never with a
# flag that skips this module. The role `systeem` gets no rule of a person: only the actions
# below, and only for the jobs named with them. (The tenancy lane's `system_rule` registry
# takes the same actions for the same jobs; when it lands it replaces this section.)
SYSTEM_ACTIONS: dict[str, frozenset[str]] = {
    "monitor.import": frozenset({"monitor-import", "demo"}),  # `ketenzicht monitor import`, the demo
    "report.generate": frozenset({"board-reports"}),  # the half-yearly board reports (`rapportages`)
    # `ketenzicht monitor release` and its monthly task (also run by the demo): releases cover every region
    "monitor.release": frozenset({"monitor-release"}),
    "persons.link": frozenset({"koppeling"}),  # the linkage task after an import (persons.linkage.JOB)
}


def _system_may(user: Any, action: str) -> bool:
    return getattr(user, "job", "") in SYSTEM_ACTIONS.get(action, frozenset())


# --- end of the system actor's section ---------------------------------------------------------


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


# --- user management (issue 13 item 3; domain/roles.py holds the role rules) ----------------
# A beheerder manages the users of the organisations of their own region only, never the system
# account, and never their own roles. Granting beheerder or privacy officer waits for a second
# beheerder of the region, who confirms or refuses (`users.role_decide`); whoever asked and whoever
# it concerns cannot decide. A privacy officer (or anyone else) without the beheerder role grants
# nothing.
def _beheerder_region(user: User) -> Any:
    own = user.organisation
    return own.region_id if own is not None and user.has_role(Role.BEHEERDER) else None


def _managed_region(target: Any) -> Any:
    """Region of a User, an Organisation or a RoleRequest (through the person it concerns)."""
    if hasattr(target, "requested_by_id"):
        target = target.user
    if getattr(target, "has_role", None) is not None and target.has_role(Role.SYSTEEM):
        return None
    org = target.organisation if hasattr(target, "organisation_id") else target
    return getattr(org, "region_id", None)


@rule("users.manage")
def _manage_users(user: User, target: Any) -> bool:
    region = _beheerder_region(user)
    if region is None:
        return False
    return target is None or _managed_region(target) == region


@rule("users.roles")
def _change_roles(user: User, target: Any) -> bool:
    return _manage_users(user, target) and (target is None or target.pk != user.pk)


@rule("users.role_decide")
def _decide_role_request(user: User, request: Any) -> bool:
    if not _manage_users(user, request):
        return False
    return request is None or user.pk not in (request.requested_by_id, request.user_id)


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


# --- registries (issue 14 item 5) -------------------------------------------------------------
# Looking up the case's address (BAG, BRP count) or company (KvK) sends a key of the case to a
# registry: the AF of the case's municipality, who also decides what to take over.
rule("registry.lookup")(lambda user, obj: _is_af_for(user, obj))


# --- routekaart, meldcode, referrals and sharing (issue 4) ----------------------------------
# The routekaart holds no personal data: every staff member with an organisation may walk it
# ("ik heb een voorgevoel"); storing it on a case, the meldcode and referrals are the AF's.
# A ketenpartner sees only referrals to their own organisation. The privacy officer reviews
# the sharing profiles and the register of hand-overs; beheerder and privacy officer review
# the active routekaart of their own region.
def _has_org(user: User) -> bool:
    return user.organisation_id is not None


rule("routekaart.use")(lambda user, obj: _has_org(user) and not user.has_role(Role.PARTNERSYSTEEM))
rule("api.routekaart.advies")(lambda user, obj: _has_org(user))
rule("routekaart.case")(lambda user, obj: _is_af_for(user, obj))
rule("meldcode.manage")(lambda user, obj: _is_af_for(user, obj))
rule("referral.manage")(lambda user, obj: _is_af_for(user, getattr(obj, "case", obj)))


@rule("routekaart.review")
def _review_routekaart(user: User, region_slug: str | None) -> bool:
    if not user.has_role(Role.BEHEERDER, Role.PRIVACY_OFFICER):
        return False
    org = user.organisation
    return region_slug is None or (org is not None and org.region is not None and org.region.slug == region_slug)


rule("partner.inbox")(lambda user, obj: user.has_role(Role.KETENPARTNER) and _has_org(user))


@rule("referral.respond")
def _respond_referral(user: User, referral: Any) -> bool:
    if not (user.has_role(Role.KETENPARTNER) and _has_org(user)):
        return False
    return referral is None or referral.organisation_id == user.organisation_id


rule("sharing.review")(lambda user, obj: user.has_role(Role.PRIVACY_OFFICER))
rule("sharing.register")(lambda user, obj: user.has_role(Role.PRIVACY_OFFICER))


# --- signalenoverleg, LOO and regional tables (issue 5) -------------------------------------
# The AF of a municipality chairs and manages that municipality's tables: plans sittings,
# orders the agenda, records decisions and finalises minutes. A participant (role
# overlegdeelnemer) sees a table only when they are listed as its member *and* their
# organisation takes part; what they see of each agenda item follows their organisation's
# sharing profile (data/sharing_profiles.yaml via domain/sharing.py): need-to-know per table.
# Throughput figures: the AF for their own municipality, the ketenregisseur aggregates only.
def _meeting_of(obj: Any) -> Any:
    """Meeting for a Meeting, Sitting, AgendaItem, Decision or ActionItem (walks up the FKs)."""
    for attr in ("decision", "item", "sitting", "meeting"):
        if obj is not None and hasattr(obj, f"{attr}_id"):
            obj = getattr(obj, attr)
    return obj


def _chairs(user: User, meeting: Any) -> bool:
    if not user.has_role(Role.AANDACHTSFUNCTIONARIS):
        return False
    org = user.organisation
    if org is None or org.municipality_id is None:
        return False
    return meeting is None or org.municipality_id == _meeting_of(meeting).municipality_id


def _takes_part(user: User, meeting: Any) -> bool:
    if not user.has_role(Role.OVERLEGDEELNEMER) or user.organisation_id is None:
        return False
    if meeting is None:
        return True
    meeting = _meeting_of(meeting)
    return (
        meeting.members.filter(pk=user.pk).exists()
        and meeting.organisations.filter(pk=user.organisation_id).exists()
    )


rule("meeting.list")(lambda user, obj: _chairs(user, None) or _takes_part(user, None))
rule("meeting.view")(lambda user, obj: _chairs(user, obj) or _takes_part(user, obj))
rule("meeting.chair")(lambda user, obj: _chairs(user, obj))
rule("meeting.manage")(lambda user, obj: _chairs(user, obj))


@rule("actionitem.complete")
def _complete_action_item(user: User, item: Any) -> bool:
    if item is None:
        return _chairs(user, None) or _takes_part(user, None)
    if _chairs(user, item):
        return True
    return item.owner_id == user.pk or (
        _takes_part(user, item) and item.owner_organisation_id == user.organisation_id
    )


@rule("throughput.view")
def _view_throughput(user: User, municipality: Any) -> bool:
    if municipality is None:
        return user.has_role(Role.AANDACHTSFUNCTIONARIS, Role.KETENREGISSEUR)
    # Unprotected figures of one municipality are the AF's own only.
    return _is_af_for_municipality(user, municipality)


def _is_af_for_municipality(user: User, municipality: Any) -> bool:
    org = user.organisation
    return (
        user.has_role(Role.AANDACHTSFUNCTIONARIS)
        and org is not None
        and org.municipality_id is not None
        and org.municipality_id == getattr(municipality, "pk", municipality)
    )


def meeting_field_groups(user: User, meeting: Any) -> tuple[str, ...]:
    """The case field groups `user` may see of an item on this table's agenda.

    The chair and colleagues of the municipality itself see the whole case file; a partner
    sees what its organisation's sharing profile allows; no profile means no case content.
    """
    from ketenzicht.domain import sharing

    if _chairs(user, meeting):
        return sharing.FIELD_GROUPS
    if not _takes_part(user, meeting):
        return ()
    org = user.organisation
    meeting = _meeting_of(meeting)
    if org.kind == OrganisationKind.GEMEENTE and org.municipality_id == meeting.municipality_id:
        return sharing.FIELD_GROUPS
    try:
        return sharing.decide(_sharing_profiles(), org.kind).shared
    except sharing.SharingInputError:
        return ()


def _sharing_profiles() -> Any:
    from ketenzicht.domain import sharing

    return sharing.load_profiles()


def meetings_visible_to(user: User, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Tables a person may open: the AF's municipality's, or those they take part in."""
    org = user.organisation
    if org is None:
        return queryset.none()
    if user.has_role(Role.AANDACHTSFUNCTIONARIS) and org.municipality_id is not None:
        return queryset.filter(municipality_id=org.municipality_id)
    if user.has_role(Role.OVERLEGDEELNEMER):
        return queryset.filter(members=user, organisations=org).distinct()
    return queryset.none()


# --- regional monitor (issue 6) -------------------------------------------------------------
# The ketenregisseur and the AF see the monitor of their own region, always through disclosure
# control; only the AF sees their own municipality's figures unsuppressed, and only on that
# municipality's detail page. Imports (and withdrawing them) are the ketenregisseur's.
rule("monitor.view")(lambda user, obj: user.has_role(Role.KETENREGISSEUR, Role.AANDACHTSFUNCTIONARIS))
rule("monitor.import")(lambda user, obj: user.has_role(Role.KETENREGISSEUR))
# A release of the protected figures covers every region at once: only the scheduled job (the
# system actor of `ketenzicht monitor release`, see SYSTEM_ACTIONS) makes one, never a person.
rule("monitor.release")(lambda user, obj: False)


@rule("monitor.view_region")
def _monitor_region(user: User, region: Any) -> bool:
    if not user.has_role(Role.KETENREGISSEUR, Role.AANDACHTSFUNCTIONARIS):
        return False
    own = user.organisation
    return region is None or (own is not None and own.region_id is not None and own.region_id == region.pk)


@rule("monitor.unsuppressed")
def _monitor_unsuppressed(user: User, municipality: Any) -> bool:
    """Unsuppressed figures: the AF's own municipality only (its detail level)."""
    if not user.has_role(Role.AANDACHTSFUNCTIONARIS) or municipality is None:
        return False
    org = user.organisation
    return org is not None and org.municipality_id is not None and org.municipality_id == municipality.pk


# --- barriers, interventions, integral controls and Bibob (issue 8) -------------------------
# Interventions, integral controls and the Bibob register belong to one municipality: its AF
# plans, records and reads them (the Bibob register holds integrity findings about applicants,
# so nobody else sees it). Barrier models hold no personal data: AF and ketenregisseur read the
# models of their region; the ketenregisseur edits the region's copy. The district dashboard
# (KPIs, white spots): the AF for their own district, the ketenregisseur for the region's.
def _barrier_municipality(obj: Any) -> Any:
    return getattr(obj, "municipality_id", None) if obj is not None else None


def _is_af_of(user: User, obj: Any) -> bool:
    org = user.organisation
    if not user.has_role(Role.AANDACHTSFUNCTIONARIS) or org is None or org.municipality_id is None:
        return False
    return obj is None or _barrier_municipality(obj) == org.municipality_id


rule("barriers.models_view")(lambda user, obj: user.has_role(Role.AANDACHTSFUNCTIONARIS, Role.KETENREGISSEUR) and _has_org(user))


@rule("barriers.model_edit")
def _edit_barrier_model(user: User, region: Any) -> bool:
    own = user.organisation
    if not user.has_role(Role.KETENREGISSEUR) or own is None or own.region_id is None:
        return False
    return region is None or own.region_id == getattr(region, "pk", region)


rule("barriers.work")(lambda user, obj: _is_af_of(user, obj))
rule("bibob.register")(lambda user, obj: _is_af_of(user, obj))


@rule("barriers.dashboard")
def _barrier_dashboard(user: User, district: Any) -> bool:
    own = user.organisation
    if own is None:
        return False
    if user.has_role(Role.AANDACHTSFUNCTIONARIS) and own.municipality_id is not None:
        return district is None or own.municipality.district_id == district.pk
    if user.has_role(Role.KETENREGISSEUR) and own.region_id is not None:
        return district is None or district.region_id == own.region_id
    return False


rule("barriers.campaign")(lambda user, obj: _barrier_dashboard(user, obj))


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


# --- action programme, training and reports to the board (issue 9) --------------------------
# Programmes of a region or district are the ketenregisseur's to keep; a municipality's own
# programme is its AF's. Everybody in those roles reads the programmes that concern their own
# municipality, district and region. Whoever is named responsible for an action may update
# its status. Training is recorded per municipality by its AF; the ketenregisseur reads the
# coverage of the region's municipalities (counts per function, no names exist). A board
# report: generated and read by the ketenregisseur for any area of the region, by the AF for
# their own municipality (and read for their own district). Trainings: the ketenregisseur also
# records them, as district trainings serve several municipalities.
def _region_id_of(obj: Any) -> Any:
    """Region of a Programme, BoardReport, Municipality or District; a Region is its own."""
    return obj.region_id if hasattr(obj, "region_id") else getattr(obj, "pk", None)


def _in_own_region(user: User, obj: Any) -> bool:
    own = user.organisation
    return own is not None and own.region_id is not None and (obj is None or _region_id_of(obj) == own.region_id)


def _af_concerns(user: User, scoped: Any) -> bool:
    """A programme or report of the AF's own municipality, own district or own region."""
    org = user.organisation
    if not user.has_role(Role.AANDACHTSFUNCTIONARIS) or org is None or org.municipality_id is None:
        return False
    if scoped is None:
        return True
    municipality = org.municipality
    return (
        (scoped.level == "gemeente" and scoped.municipality_id == municipality.pk)
        or (scoped.level == "district" and scoped.district_id is not None and scoped.district_id == municipality.district_id)
        or (scoped.level == "regio" and scoped.region_id == municipality.region_id)
    )


def _af_own_municipality(user: User, scoped: Any) -> bool:
    org = user.organisation
    if not user.has_role(Role.AANDACHTSFUNCTIONARIS) or org is None or org.municipality_id is None:
        return False
    return scoped is None or (scoped.level == "gemeente" and scoped.municipality_id == org.municipality_id)


def _kr_in_region(user: User, obj: Any) -> bool:
    return user.has_role(Role.KETENREGISSEUR) and _in_own_region(user, obj)


rule("programme.view")(lambda user, obj: _kr_in_region(user, obj) or _af_concerns(user, obj))


@rule("programme.manage")
def _manage_programme(user: User, programme: Any) -> bool:
    if _af_own_municipality(user, programme):
        return True
    if not _kr_in_region(user, programme):
        return False
    return programme is None or programme.level in ("regio", "district")


@rule("programme.action_update")
def _update_action(user: User, action: Any) -> bool:
    if action is None:
        return _manage_programme(user, None)
    if _manage_programme(user, action.programme):
        return True
    return action.owner_user_id == user.pk and can(user, "programme.view", action.programme)


def programmes_visible_to(user: User, queryset: QuerySet[Any]) -> QuerySet[Any]:
    from django.db.models import Q

    org = user.organisation
    if org is None:
        return queryset.none()
    if user.has_role(Role.KETENREGISSEUR) and org.region_id is not None:
        return queryset.filter(region_id=org.region_id)
    if user.has_role(Role.AANDACHTSFUNCTIONARIS) and org.municipality_id is not None:
        m = org.municipality
        return queryset.filter(
            Q(level="gemeente", municipality_id=m.pk) | Q(level="district", district_id=m.district_id)
            | Q(level="regio", region_id=m.region_id)
        )
    return queryset.none()


@rule("training.view")
def _view_training(user: User, municipality: Any) -> bool:
    if _is_af_for_municipality(user, municipality) or (municipality is None and _af_own_municipality(user, None)):
        return True
    return _kr_in_region(user, municipality)


# The ketenregisseur also records trainings, for the district trainings organised for several municipalities.
rule("training.manage")(
    lambda user, obj: (obj is None and _af_own_municipality(user, None)) or _is_af_for_municipality(user, obj)
    or _kr_in_region(user, obj)
)
rule("report.view")(lambda user, obj: _kr_in_region(user, obj) or (_af_concerns(user, obj) and (obj is None or obj.level != "regio")))


@rule("report.generate")
def _generate_report(user: User, scope: Any) -> bool:
    """`scope`: the Municipality, District or Region the report is about."""
    if _kr_in_region(user, scope):
        return True
    org = user.organisation
    if not user.has_role(Role.AANDACHTSFUNCTIONARIS) or org is None or org.municipality_id is None:
        return False
    return scope is None or (hasattr(scope, "cbs_code") and scope.pk == org.municipality_id)


# --- persons and the estimate (issue 15) ------------------------------------------------------
# A partner's gegevensleverancier (data steward) encodes the partner's registrations in the
# browser and delivers them for the partner's own sources; a partner system does the same
# through the API. Which organisation kinds deliver which monitor source is fixed here. The
# persons and the estimate of a region are the ketenregisseur's of that region, read with a
# session and a second factor (never with a token); linkage runs as the system actor.
DELIVERING_KINDS: dict[str, frozenset[str]] = {
    "politie": frozenset({OrganisationKind.POLITIE_AVIM}),
    "zorgcoordinator-shop": frozenset({OrganisationKind.ZORGCOORDINATOR}),
    "zorgcoordinator-overig": frozenset({OrganisationKind.ZORGCOORDINATOR}),
    "nla": frozenset({OrganisationKind.NLA}),
    "comensha": frozenset({OrganisationKind.COMENSHA}),
    "overig": frozenset(set(OrganisationKind.values) - {OrganisationKind.GEMEENTE}),
}


def _delivers(user: User) -> bool:
    return user.has_role(Role.GEGEVENSLEVERANCIER, Role.PARTNERSYSTEEM) and user.organisation is not None


@rule("monitor.deliver")
def _monitor_deliver(user: User, source: Any) -> bool:
    """Deliver registrations for `source` (a monitor Source): only the partner's own kind."""
    if not _delivers(user):
        return False
    if source is None:
        return True
    return user.organisation.kind in DELIVERING_KINDS.get(getattr(source, "slug", ""), frozenset())


rule("persons.encode")(lambda user, obj: user.has_role(Role.GEGEVENSLEVERANCIER) and user.organisation is not None)


@rule("persons.view")
def _persons_view(user: User, region: Any) -> bool:
    """Persons and the estimate of a region: its ketenregisseur, nobody else."""
    if not user.has_role(Role.KETENREGISSEUR):
        return False
    own = user.organisation
    if region is None:
        return own is not None and own.region_id is not None
    return own is not None and own.region_id is not None and own.region_id == getattr(region, "pk", None)


# Linkage is the system actor's job only (SYSTEM_ACTIONS above); no person links by hand.
rule("persons.link")(lambda user, obj: False)


@rule("persons.linkage_status")
def _linkage_status(user: User, region: Any) -> bool:
    """Whether the region's linkage is running (no figures): its ketenregisseur and data stewards."""
    if not user.has_role(Role.KETENREGISSEUR, Role.GEGEVENSLEVERANCIER):
        return False
    own = user.organisation
    if own is None or own.region_id is None:
        return False
    return region is None or own.region_id == getattr(region, "pk", None)
