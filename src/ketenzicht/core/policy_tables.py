"""Policy rules of the tables (issues 5 and 14 item 3), split out of core/policy.py for size.

Registered in the one rule table of `core.policy` (imported at its end), so `policy.can` and
`policy.require` stay the single entry point; the visibility filters and field-group decisions
are re-exported there as `policy.*`.

Municipal tables (signalenoverleg, LOO, other): the AF of a municipality chairs and manages that
municipality's tables: plans sittings, orders the agenda, records decisions and finalises minutes.
A participant (role overlegdeelnemer) sees a table only when they are listed as its member *and*
their organisation takes part; what they see of each agenda item follows their organisation's
sharing profile (data/sharing_profiles.yaml via domain/sharing.py): need-to-know per table.

Tables above the municipality (issue 14 item 3) have no municipality but a region, and a district
when a district coordinator convened them. The ketenregisseur whose organisation works in that
region (or that district) convenes, manages and chairs them. Members — partners and AFs of the
municipalities within the table's scope, listed by name and with their organisation taking part —
see the table. An AF brings only cases of their own municipality, and sees their own cases whole;
everybody else sees of a case what their organisation's sharing profile allows (an AF of another
municipality the profile ``gemeente``); the chair sees the signal group only (to chair, not to
handle the case), unless the chair's organisation has a profile of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from ketenzicht.accounts.models import OrganisationKind, Role
from ketenzicht.core.policy import _is_af_for_municipality, rule
from ketenzicht.core.scopes import region_id_of, scope_of

if TYPE_CHECKING:
    from ketenzicht.accounts.models import User


def _meeting_of(obj: Any) -> Any:
    """Meeting for a Meeting, Sitting, AgendaItem, Decision or ActionItem (walks up the FKs)."""
    for attr in ("decision", "item", "sitting", "meeting"):
        if obj is not None and hasattr(obj, f"{attr}_id"):
            obj = getattr(obj, attr)
    return obj


def _regional(meeting: Any) -> bool:
    return meeting is not None and meeting.municipality_id is None


def _meeting_region_id(meeting: Any) -> Any:
    return meeting.region_id if _regional(meeting) else meeting.municipality.region_id


def _convener_scope(user: User) -> Any:
    """The scope (region or district) in which a ketenregisseur convenes tables, or None."""
    if not user.has_role(Role.KETENREGISSEUR):
        return None
    scope = scope_of(user)
    return scope if scope.level in ("regio", "district") and scope.region_id is not None else None


def _convenes(user: User, meeting: Any) -> bool:
    """The ketenregisseur of the table's region (a regional table) or district (a district table)."""
    scope = _convener_scope(user)
    if scope is None:
        return False
    if meeting is None:
        return True
    meeting = _meeting_of(meeting)
    if not _regional(meeting) or meeting.region_id != scope.region_id:
        return False
    if scope.level == "regio":
        return True
    return meeting.district_id is not None and meeting.district_id == scope.district_id


def _chairs(user: User, meeting: Any) -> bool:
    if meeting is None and _convenes(user, None):
        return True
    if meeting is not None and _regional(_meeting_of(meeting)):
        return _convenes(user, meeting)
    if not user.has_role(Role.AANDACHTSFUNCTIONARIS):
        return False
    org = user.organisation
    if org is None or org.municipality_id is None:
        return False
    return meeting is None or org.municipality_id == _meeting_of(meeting).municipality_id


def _takes_part(user: User, meeting: Any) -> bool:
    """A member of the table whose organisation takes part, within their own region.

    At a regional or district table the AFs of the municipalities in its scope take part as
    members too (they bring their cases); at a municipal table the AF is its chair instead.
    """
    if user.organisation_id is None:
        return False
    member_roles = (Role.OVERLEGDEELNEMER, Role.AANDACHTSFUNCTIONARIS)
    if meeting is None:
        return user.has_role(*member_roles)
    meeting = _meeting_of(meeting)
    if not user.has_role(*(member_roles if _regional(meeting) else (Role.OVERLEGDEELNEMER,))):
        return False
    region_id = _meeting_region_id(meeting)
    return (
        region_id is not None
        and region_id == region_id_of(user)
        and meeting.members.filter(pk=user.pk).exists()
        and meeting.organisations.filter(pk=user.organisation_id).exists()
    )


def _brings_cases(user: User, meeting: Any) -> bool:
    """An AF member of a regional or district table, whose municipality lies in its scope."""
    if not user.has_role(Role.AANDACHTSFUNCTIONARIS) or user.organisation is None:
        return False
    if user.organisation.municipality_id is None:
        return False
    if meeting is None:
        return True
    meeting = _meeting_of(meeting)
    if not _regional(meeting) or not _takes_part(user, meeting):
        return False
    municipality = user.organisation.municipality
    if meeting.district_id is not None:
        return municipality.district_id == meeting.district_id
    return municipality.region_id == meeting.region_id


rule("meeting.list")(lambda user, obj: _chairs(user, None) or _takes_part(user, None))
rule("meeting.view")(lambda user, obj: _chairs(user, obj) or _takes_part(user, obj))
rule("meeting.chair")(lambda user, obj: _chairs(user, obj))
rule("meeting.manage")(lambda user, obj: _chairs(user, obj))
# Convening a table above the municipality: the ketenregisseur of a region or district.
rule("meeting.convene")(lambda user, obj: _convenes(user, obj))
# Bringing a case of one's own municipality onto a regional or district table.
rule("meeting.bring_case")(lambda user, obj: _brings_cases(user, obj))


@rule("case.regional_decision")
def _regional_decision(user: User, case: Any) -> bool:
    """The chair of a regional table moves a case that waits, undecided, on that table's agenda.

    Decided on the agenda items of the case: only `meetings.services.decision_record` takes such
    a step (with the table's decision as context, checked again by the case lifecycle).
    """
    if case is None:
        return _convenes(user, None)
    from django.apps import apps

    items = apps.get_model("meetings", "AgendaItem").objects.filter(
        case=case, decision__isnull=True, sitting__minutes_finalised_at__isnull=True,
        sitting__meeting__municipality__isnull=True,
    ).select_related("sitting__meeting")
    return any(_convenes(user, item.sitting.meeting) for item in items)


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


def _profile_groups(kind: str) -> tuple[str, ...]:
    from ketenzicht.domain import sharing

    try:
        return sharing.decide(sharing.load_profiles(), kind).shared
    except sharing.SharingInputError:
        return ()


def meeting_field_groups(user: User, meeting: Any) -> tuple[str, ...]:
    """The case field groups `user` may see of an item on this table's agenda.

    At a municipal table the chair and colleagues of the municipality itself see the whole case
    file; a partner sees what its organisation's sharing profile allows; no profile means no case
    content. At a regional table the chair sees the signal group (or its own profile), a member
    its organisation's profile; `agenda_item_field_groups` widens this for the case's own AF.
    """
    from ketenzicht.domain import sharing

    meeting = _meeting_of(meeting)
    if _regional(meeting):
        if _chairs(user, meeting):
            return _profile_groups(user.organisation.kind) or ("signaal",)
        return _profile_groups(user.organisation.kind) if _takes_part(user, meeting) else ()
    if _chairs(user, meeting):
        return sharing.FIELD_GROUPS
    if not _takes_part(user, meeting):
        return ()
    org = user.organisation
    if org.kind == OrganisationKind.GEMEENTE and org.municipality_id == meeting.municipality_id:
        return sharing.FIELD_GROUPS
    return _profile_groups(org.kind)


def agenda_item_field_groups(user: User, case: Any, table_groups: tuple[str, ...]) -> tuple[str, ...]:
    """The groups of one case on a table's agenda: the case's own AF sees it whole, others
    what the table allows them (`meeting_field_groups`)."""
    from ketenzicht.domain import sharing

    if case is not None and table_groups and _is_af_for_municipality(user, case.municipality_id):
        return sharing.FIELD_GROUPS
    return table_groups


def meetings_visible_to(user: User, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Tables a person may open: the AF's municipality's, those they take part in, and the
    regional or district tables a ketenregisseur convenes."""
    org = user.organisation
    if org is None:
        return queryset.none()
    visible = Q(pk__in=[])
    region_id = region_id_of(user)
    if user.has_role(Role.AANDACHTSFUNCTIONARIS) and org.municipality_id is not None:
        visible |= Q(municipality_id=org.municipality_id)
    if region_id is not None and user.has_role(Role.OVERLEGDEELNEMER, Role.AANDACHTSFUNCTIONARIS):
        member = Q(members=user, organisations=org)
        if user.has_role(Role.OVERLEGDEELNEMER):
            visible |= member & Q(municipality__region_id=region_id)
        visible |= member & Q(municipality__isnull=True, region_id=region_id)
    scope = _convener_scope(user)
    if scope is not None:
        convened = Q(municipality__isnull=True, region_id=scope.region_id)
        if scope.level == "district":
            convened &= Q(district_id=scope.district_id)
        visible |= convened
    return queryset.filter(pk__in=queryset.model.objects.filter(visible).values("pk"))
