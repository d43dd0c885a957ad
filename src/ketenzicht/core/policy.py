"""Need-to-know access, decided in one place, on the object.

Every view, API operation, export, command and job asks this module; nothing else decides who
may see or do what. Rules are written per action as small functions of (user, object): called
without an object they answer "may this person do this at all" (menus, list pages); called with
the object — case, referral, import, meeting, programme, audit entry, user … — they decide by the
actor's scope. Queryset scoping for lists lives here too, so a list never shows what a detail
page would refuse.

Scopes (`scope_of`): a person's organisation places them in a municipality (a gemeente's
staff), a district (a district-level organisation), a region (a regional organisation) or only
their organisation (a partner without a region). What a role may reach follows from it:

- aandachtsfunctionaris (AF): the cases, tables, controls, programme and figures of their own
  municipality; a melder: their own reports; both report within their own region;
- ketenregisseur: aggregates, programmes, monitor imports and reports of their own region,
  never personal data;
- privacy officer: the audit trail and the register of hand-overs of the organisations in
  their own scope (municipality, district or region);
- beheerder: users of their own region (`users.manage`), the region's queue of signals for
  municipalities without an AF;
- ketenpartner: referrals to their own organisation; overlegdeelnemer: the tables of their
  own region they are a member of;
- partner systems (API tokens) submit signals and read nothing back but their own receipt.

Commands and background jobs act as the system actor (`accounts.system.system_actor(job)`),
never as `None` and never with a flag that skips this module. The system actor gets no rule of
a person: only the actions registered with `system_rule`, for the jobs named there.

A refusal on an object holding personal data is written to the audit trail (`require`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from ketenzicht.accounts.models import OrganisationKind, Role
from ketenzicht.core.scopes import Scope, region_id_of, scope_of
from ketenzicht.core.sql import UuidText

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
        return _system_may(user, action, obj)
    return _RULES[action](user, obj)


def require(user: User | Any, action: str, obj: Any = None) -> None:
    """Refuse with PermissionDenied unless allowed; a refusal on personal data is audited."""
    if not can(user, action, obj):
        _audit_denial(user, action, obj)
        raise PermissionDenied(action)


# Actions anyone may take, logged in or not (the public report form, health check).
PUBLIC_ACTIONS = frozenset({"public.report", "public.status", "public.info"})


# --- denied attempts on personal data --------------------------------------------------------
# Model label → audit object type, for the objects that hold personal data. A refusal on one of
# these is an attempt worth knowing about; a refusal without an object (a menu, a list page) or
# on figures without persons is not.
PERSONAL_DATA = {
    "cases.Case": "case",
    "cases.Subject": "subject",
    "cases.Attachment": "attachment",
    "cases.ReporterAddition": "reporter_addition",
    "cases.ContactRequest": "contact_request",
    "barriers.WorkContactRequest": "work_contact_request",
    "barriers.ControlAddress": "control_address",
    "routing.Referral": "referral",
    "meetings.Meeting": "meeting",
    "meetings.Sitting": "sitting",
    "meetings.AgendaItem": "agenda_item",
    "meetings.Decision": "decision",
    "meetings.ActionItem": "action_item",
    "barriers.IntegralControl": "integral_control",
    "barriers.Intervention": "intervention",
    "barriers.BibobScreening": "bibob_screening",
    "audit.AuditEvent": "audit",
    "accounts.User": "user",
}


def _audit_denial(user: Any, action: str, obj: Any) -> None:
    meta = getattr(obj, "_meta", None)
    object_type = PERSONAL_DATA.get(meta.label) if meta is not None else None
    if object_type is None or getattr(obj, "pk", None) is None:
        return
    from ketenzicht.audit.models import AuditAction
    from ketenzicht.audit.services import audit_record

    label = getattr(obj, "reference", "") or getattr(obj, "case_reference", "")
    audit_record(
        actor=user,
        action=AuditAction.DENIED,
        object_type=object_type,
        object_id=obj.pk,
        object_label=str(label)[:64],
        reason=f"geweigerd: {action}",
    )


# --- the system actor ------------------------------------------------------------------------
# action → (jobs that may take it, decision on the object). Registered next to the rules of the
# persons who take the same action; a job not named here is refused everything.
SystemDecision = Callable[[Any], bool]
_SYSTEM_RULES: dict[str, tuple[frozenset[str], SystemDecision]] = {}


def system_rule(action: str, jobs: Iterable[str], decide: SystemDecision = lambda obj: True) -> None:
    """Let the system actor take `action` when running one of `jobs`, deciding on the object."""
    if action in _SYSTEM_RULES:
        raise RuntimeError(f"system rule for {action!r} defined twice")
    _SYSTEM_RULES[action] = (frozenset(jobs), decide)


def system_rules() -> dict[str, frozenset[str]]:
    return {action: jobs for action, (jobs, _decide) in sorted(_SYSTEM_RULES.items())}


def _system_may(user: Any, action: str, obj: Any) -> bool:
    entry = _SYSTEM_RULES.get(action)
    return entry is not None and getattr(user, "job", "") in entry[0] and entry[1](obj)


# --- helpers ---------------------------------------------------------------------------------
def _is_municipal_staff(user: User) -> bool:
    org = user.organisation
    return org is not None and org.kind == OrganisationKind.GEMEENTE and org.municipality_id is not None


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
def _partner_professional(user: User) -> bool:
    """A partner's professional (GGD, zorgcoördinator, HVO-Querido …) with an organisation (issue 16 item 5)."""
    return user.has_role(Role.KETENPARTNER) and _has_org(user)


def _in_own_region(user: User, municipality: Any) -> bool:
    own = user.organisation
    return municipality is None or (municipality.region_id is not None and municipality.region_id == own.region_id)


def _staff_reporter(user: User) -> bool:
    return _is_municipal_staff(user) and user.has_role(Role.MELDER, Role.AANDACHTSFUNCTIONARIS)


def _reports_for(user: User, municipality: Any) -> bool:
    """Municipal melders and AFs report through the internal route for their own region only; so
    does a partner's professional, on screen (not through the API)."""
    return (_staff_reporter(user) or _partner_professional(user)) and _in_own_region(user, municipality)


rule("case.report")(_reports_for)
rule("case.list_own_reports")(lambda user, obj: user.has_role(Role.MELDER, Role.AANDACHTSFUNCTIONARIS) or _partner_professional(user))


@rule("case.view_own_report")
def _view_own_report(user: User, case: Case | None) -> bool:
    if case is None:
        return user.has_role(Role.MELDER, Role.AANDACHTSFUNCTIONARIS) or _partner_professional(user)
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
    # issue 16 item 4: correct the classification, ask an anonymous reporter a question
    "case.reclassify",
    "case.ask_reporter",
):
    rule(_action)(lambda user, obj: _is_af_for(user, obj))

# --- oversight ------------------------------------------------------------------------------
# A privacy officer reads the audit trail of the organisations in their own scope, and the rows
# without an organisation (the public, the system actor) about cases in that scope.
def _organisation_in_scope(scope: Scope, org: Any) -> bool:
    if org is None:
        return False
    if scope.level == "organisatie":
        return org.pk == scope.organisation_id
    if org.municipality_id is not None:
        return scope.covers(org.municipality)
    if scope.level == "district":
        return org.district_id is not None and org.district_id == scope.district_id
    return scope.level == "regio" and org.region_id is not None and org.region_id == scope.region_id


@rule("audit.view")
def _view_audit(user: User, entry: Any) -> bool:
    if not user.has_role(Role.PRIVACY_OFFICER):
        return False
    if entry is None:
        return True
    scope = scope_of(user)
    if entry.organisation_id is not None:
        return _organisation_in_scope(scope, entry.organisation)
    if entry.object_type != "case":
        return False
    from django.core.exceptions import ValidationError

    from ketenzicht.cases.models import Case

    try:
        case = Case.objects.select_related("municipality").filter(pk=entry.object_id).first()
    except (ValidationError, ValueError):  # an id that is no case id (a purged or foreign object)
        return False
    return case is not None and scope.covers(case.municipality)


def audit_entries_visible_to(user: User, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The audit rows a privacy officer may read: see `audit.view`."""
    from ketenzicht.accounts.models import Organisation
    from ketenzicht.cases.models import Case

    if not user.has_role(Role.PRIVACY_OFFICER):
        return queryset.none()
    scope = scope_of(user)
    organisations = Organisation.objects.filter(scope.organisations()).values("pk")
    # Ids as the audit trail stores them (text); only for the rows without an organisation. A
    # subquery, not a list: a busy municipality has tens of thousands of cases (core/sql.py).
    cases = Case.objects.filter(scope.municipalities("municipality__")).values(text=UuidText("pk"))
    return queryset.filter(Q(organisation_id__in=organisations) | Q(organisation__isnull=True, object_type="case", object_id__in=cases))


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
# Partner systems deliver for any municipality (where it lands is intake's business: a
# municipality outside every loaded region is refused there, nothing stored); colleagues
# posting through the API follow the internal route's rule.
rule("api.signal.create")(lambda user, obj: user.has_role(Role.PARTNERSYSTEEM) or (_staff_reporter(user) and _in_own_region(user, obj)))
rule("api.signal.list")(lambda user, obj: user.has_role(Role.AANDACHTSFUNCTIONARIS))
# A partner system reads the status and feedback of the signals it submitted itself (issue 16 item 5).
rule("api.signal.view")(
    lambda user, obj: _is_af_for(user, obj)
    or (user.has_role(Role.PARTNERSYSTEEM) and (obj is None or obj.reporter_id == user.pk))
)
rule("api.signal.transition")(lambda user, obj: _is_af_for(user, obj))
rule("api.reference")(lambda user, obj: True)


# --- the region's queue: signals for a municipality without an AF (issues 3 and 13) ----------
# A signal for a municipality of a loaded region that has no active AF is nobody's until someone
# forwards it: the region's ketenregisseur and beheerder see that it exists (reference,
# municipality, date, state) and forward it to a municipality of the region with an AF; never
# its contents. Once the municipality has an AF, its signals are that AF's again.
def _queues_for(user: User) -> int | None:
    return region_id_of(user) if user.has_role(Role.BEHEERDER, Role.KETENREGISSEUR) else None



@rule("case.unrouted")
def _unrouted(user: User, case: Case | None) -> bool:
    region_id = _queues_for(user)
    if region_id is None:
        return False
    if case is None:
        return True
    from ketenzicht.accounts.selectors import has_af

    municipality = case.municipality
    return municipality.region_id == region_id and not has_af(municipality)


def unrouted_cases_visible_to(user: User, queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Signals waiting in the user's region for a municipality without an AF."""
    from ketenzicht.accounts.selectors import municipalities_with_af

    region_id = _queues_for(user)
    if region_id is None:
        return queryset.none()
    return queryset.filter(municipality__region_id=region_id).exclude(municipality__in=municipalities_with_af())


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


@rule("sharing.register")
def _sharing_register(user: User, referral: Any) -> bool:
    """The register of hand-overs: the privacy officer's own scope (the case's municipality)."""
    if not user.has_role(Role.PRIVACY_OFFICER):
        return False
    return referral is None or scope_of(user).covers(referral.case.municipality)


def handovers_visible_to(user: User, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if not user.has_role(Role.PRIVACY_OFFICER):
        return queryset.none()
    return queryset.filter(scope_of(user).municipalities("case__municipality__"))


# --- signalenoverleg, LOO and regional tables (issue 5, issue 14 item 3) ---------------------
# The tables' rules live in core/policy_tables.py (registered in this module's rule table when it
# is imported at the end of this module); the AF-of-a-municipality test stays here, other sections
# use it too.
def _is_af_for_municipality(user: User, municipality: Any) -> bool:
    org = user.organisation
    return (
        user.has_role(Role.AANDACHTSFUNCTIONARIS)
        and org is not None
        and org.municipality_id is not None
        and org.municipality_id == getattr(municipality, "pk", municipality)
    )


# --- regional monitor (issue 6) -------------------------------------------------------------
# The ketenregisseur and the AF see the monitor of their own region, always through disclosure
# control; only the AF sees their own municipality's figures unsuppressed, and only on that
# municipality's detail page. Imports (and withdrawing them) are the ketenregisseur's, of their
# own region: an import belongs to the region it was delivered for (`Import.region`). Sources
# are shared by all regions. The command line imports as the system actor, for the region the
# operator names or the file's rows lie in.
@rule("monitor.view")
def _monitor_view(user: User, region: Any) -> bool:
    if not user.has_role(Role.KETENREGISSEUR, Role.AANDACHTSFUNCTIONARIS) or region_id_of(user) is None:
        return False
    return region is None or region.pk == region_id_of(user)


@rule("monitor.import")
def _monitor_import(user: User, obj: Any) -> bool:
    """`obj`: an Import (its region), a Region, or a shared Source (any ketenregisseur)."""
    own = region_id_of(user)
    if not user.has_role(Role.KETENREGISSEUR) or own is None:
        return False
    if obj is None or obj._meta.label == "monitor.Source":
        return True
    return (obj.region_id if obj._meta.label == "monitor.Import" else obj.pk) == own


system_rule("monitor.import", jobs={"monitor-import", "demo"})
# A release of the protected figures covers every region at once: only the scheduled job (the
# system actor of `ketenzicht monitor release`, also run by the demo) makes one, never a person.
rule("monitor.release")(lambda user, obj: False)
system_rule("monitor.release", jobs={"monitor-release"})


def imports_visible_to(user: User, queryset: QuerySet[Any]) -> QuerySet[Any]:
    own = region_id_of(user)
    if not user.has_role(Role.KETENREGISSEUR) or own is None:
        return queryset.none()
    return queryset.filter(region_id=own)


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


@rule("barriers.models_view")
def _view_barrier_models(user: User, model: Any) -> bool:
    """The shipped models and the own region's copies; never another region's copy."""
    if not (user.has_role(Role.AANDACHTSFUNCTIONARIS, Role.KETENREGISSEUR) and _has_org(user)):
        return False
    return model is None or model.region_id is None or model.region_id == region_id_of(user)


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


# Scheduled board reports (programme/services.py) are generated for every area by the job.
system_rule("report.generate", jobs={"board-reports"})


@rule("report.generate")
def _generate_report(user: User, scope: Any) -> bool:
    """`scope`: the Municipality, District or Region the report is about."""
    if _kr_in_region(user, scope):
        return True
    org = user.organisation
    if not user.has_role(Role.AANDACHTSFUNCTIONARIS) or org is None or org.municipality_id is None:
        return False
    return scope is None or (hasattr(scope, "cbs_code") and scope.pk == org.municipality_id)


# --- Retention (issue 17; the retention lane's section) ---
# Only the system actor purges, as the job `purge`; never a person.
rule("retention.purge")(lambda user, obj: False)
system_rule("retention.purge", jobs={"purge"})


# --- across municipal borders (issue 14): its own module, registered here --------------------
# core/policy_crossborder.py adds its rules to this module's table (one entry point: `can` and
# `require` here); the visibility filters are re-exported so callers keep using `policy.*`.
# --- persons and the estimate (issue 15): its own module, registered here the same way ---------
# --- the regional control team (issue 14 item 4): its own module, registered the same way -------
import ketenzicht.core.policy_persons  # noqa: E402, F401 - registers the persons rules
from ketenzicht.core.policy_controlteam import controls_visible_to  # noqa: E402
from ketenzicht.core.policy_crossborder import (  # noqa: E402
    contact_requests_visible_to,
    transfers_visible_to,
    work_contact_requests_visible_to,
)

# --- signal tables, municipal, district and regional (issues 5 and 14): registered the same way --
from ketenzicht.core.policy_tables import (  # noqa: E402
    agenda_item_field_groups,
    meeting_field_groups,
    meetings_visible_to,
)

__all__ = [
    "agenda_item_field_groups", "contact_requests_visible_to", "controls_visible_to", "meeting_field_groups",
    "meetings_visible_to", "transfers_visible_to", "work_contact_requests_visible_to",
]
