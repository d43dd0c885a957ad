"""User administration by the beheerder: scoped to the region, four eyes on privileged roles.

Every write checks the policy on the person it concerns, locks the row, writes an audit row in
the same transaction and tells people after the commit (notifications): the second beheerders of
the region when a grant waits for them, the privacy officers of the region when a privileged role
changes. The rules themselves live in `domain/roles.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from ketenzicht.accounts.models import (
    LoginSession,
    Organisation,
    OrganisationKind,
    Role,
    RoleRequest,
    RoleRequestState,
    User,
    UserRole,
)
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.core import policy
from ketenzicht.core.errors import TransitionRefused
from ketenzicht.domain import roles as role_rules
from ketenzicht.domain.lifecycles import role_request as request_lifecycle
from ketenzicht.domain.lifecycles.base import TransitionNotAllowed
from ketenzicht.domain.lifecycles.role_request import Action as RoleAction
from ketenzicht.domain.lifecycles.role_request import RoleRequestState as RequestState
from ketenzicht.domain.roles import RoleError, RolePlan
from ketenzicht.notifications.models import Kind
from ketenzicht.notifications.services import notify

__all__ = ["RoleError", "user_create", "user_set_roles", "role_request_transition", "user_set_active", "user_reset_two_factor"]


def _label(user: User) -> str:
    """How a person is named in the audit trail and in notifications: their name, not a username."""
    return user.get_full_name() or user.email or f"gebruiker {user.pk}"


def _audit(actor: Any, user: User, fields: list[str], reason: str) -> None:
    audit_record(actor=actor, action=AuditAction.USER_ADMIN, object_type="user", object_id=user.pk, object_label=_label(user), fields=fields, reason=reason)


def _region_people(user: User, role: str) -> Any:
    region_id = user.organisation.region_id if user.organisation is not None else None
    return User.objects.filter(is_active=True, organisation__region_id=region_id, roles__role=role).distinct()


def _role_words(codes: Iterable[str]) -> str:
    return ", ".join(role_rules.LABELS.get(c, c) for c in sorted(codes))


def _tell_privacy_officers(user: User, plan: RolePlan, key: str) -> None:
    changed = plan.privileged_changes
    if not changed:
        return
    parts = []
    if plan.grant & changed:
        parts.append(f"toegekend: {_role_words(plan.grant & changed)}")
    if plan.revoke & changed:
        parts.append(f"ingetrokken: {_role_words(plan.revoke & changed)}")
    notify(
        recipients=_region_people(user, Role.PRIVACY_OFFICER),
        kind=Kind.ROLWIJZIGING,
        title=f"Rollen van {_label(user)} gewijzigd ({'; '.join(parts)})",
        link=reverse("accounts:user_edit", kwargs={"user_id": user.pk}),
        key=key,
    )


def _tell_second_beheerders(actor: Any, requests: list[RoleRequest]) -> None:
    for request in requests:
        others = _region_people(request.user, Role.BEHEERDER).exclude(pk__in=[actor.pk, request.user_id])
        notify(
            recipients=others,
            kind=Kind.ROL_BEVESTIGEN,
            title=f"{_label(actor)} vraagt de rol {role_rules.LABELS[request.role]} voor {_label(request.user)}",
            link=reverse("accounts:users") + "#verzoeken",
            key=f"rolverzoek:{request.pk}",
        )


def _apply(actor: Any, user: User, plan: RolePlan, now: datetime) -> list[RoleRequest]:
    UserRole.objects.filter(user=user, role__in=plan.revoke).delete()
    for role in plan.grant:
        UserRole.objects.get_or_create(user=user, role=role)
    # A role taken away also ends a request for it that was still waiting.
    for request in RoleRequest.objects.filter(user=user, role__in=plan.revoke, state=RoleRequestState.WACHT):
        role_request_transition(actor=actor, request=request, action=RoleAction.VERVALLEN, reason="de rol is afgenomen", now=now)
    requests = [RoleRequest.objects.create(user=user, role=role, requested_by=actor, requested_at=now) for role in sorted(plan.confirm)]
    user.__dict__.pop("_role_codes", None)
    return requests


def _plan(actor: Any, user: User, roles: Iterable[str], current: Iterable[str]) -> RolePlan:
    pending = RoleRequest.objects.filter(user=user, state=RoleRequestState.WACHT).values_list("role", flat=True)
    org = user.organisation
    return role_rules.plan_roles(
        current=current,
        wanted=roles,
        pending=pending,
        self_change=user.pk == getattr(actor, "pk", None),
        municipal=org is not None and org.kind == OrganisationKind.GEMEENTE,
    )


def user_create(
    *, actor: Any, email: str, first_name: str, last_name: str, organisation: Organisation, roles: Iterable[str], username: str = "", now: datetime | None = None
) -> tuple[User, RolePlan]:
    """A new account without a password (the invitation sets it); privileged grants wait for four eyes."""
    policy.require(actor, "users.manage", organisation)
    now = now or timezone.now()
    email = User.objects.normalize_email(email.strip()).lower()
    with transaction.atomic():
        user = User(username=username or email, email=email, first_name=first_name.strip(), last_name=last_name.strip(), organisation=organisation)
        user.set_unusable_password()
        user.full_clean()
        user.save()
        plan = _plan(actor, user, roles, ())
        requests = _apply(actor, user, plan, now)
        _audit(actor, user, ["account", "rollen"], f"aangemaakt; rollen: {_role_words(plan.grant) or 'geen'}" + (f"; wacht op bevestiging: {_role_words(plan.confirm)}" if plan.confirm else ""))
        _tell_privacy_officers(user, plan, key=f"rollen:{user.pk}:{now.isoformat()}")
        _tell_second_beheerders(actor, requests)
    return user, plan


def user_set_roles(*, actor: Any, user: User, roles: Iterable[str], now: datetime | None = None) -> RolePlan:
    """Change a person's roles: removals and ordinary grants now, beheerder/privacy officer on confirmation."""
    policy.require(actor, "users.manage", user)
    roles = list(roles)
    if user.pk == getattr(actor, "pk", None) and set(roles) != set(user.role_codes):
        raise RoleError("U kunt uw eigen rollen niet wijzigen. Vraag een andere beheerder van uw regio.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = User.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=user.pk)
        current = set(UserRole.objects.filter(user=locked).values_list("role", flat=True))
        plan = _plan(actor, locked, roles, current)
        if plan.empty:
            return plan
        policy.require(actor, "users.roles", locked)
        requests = _apply(actor, locked, plan, now)
        parts = [f"toegekend: {_role_words(plan.grant)}" if plan.grant else "", f"ingetrokken: {_role_words(plan.revoke)}" if plan.revoke else "", f"wacht op bevestiging: {_role_words(plan.confirm)}" if plan.confirm else ""]
        _audit(actor, locked, ["rollen"], "; ".join(p for p in parts if p))
        _tell_privacy_officers(locked, plan, key=f"rollen:{locked.pk}:{now.isoformat()}")
        _tell_second_beheerders(actor, requests)
    user.__dict__.pop("_role_codes", None)
    return plan


def role_request_transition(*, actor: Any, request: RoleRequest, action: str, reason: str = "", now: datetime | None = None) -> RoleRequest:
    """The one transition service of a role request: policy, lock, lifecycle, save, audit, notices.

    A second beheerder confirms or refuses; whoever asked withdraws; the services that take a role
    away or deactivate an account let a waiting request lapse (`vervallen`, with why).
    """
    deciding = action in (RoleAction.BEVESTIGEN, RoleAction.WEIGEREN)
    policy.require(actor, "users.role_decide" if deciding else "users.manage", request)
    now = now or timezone.now()
    with transaction.atomic():
        locked = RoleRequest.objects.select_for_update(of=("self",)).select_related("user__organisation", "requested_by").get(pk=request.pk)
        person = locked.user
        facts = request_lifecycle.RoleRequestFacts(
            role=locked.role,
            by_requester=locked.requested_by_id == actor.pk,
            by_subject=locked.user_id == actor.pk,
            held=frozenset(UserRole.objects.filter(user=person).values_list("role", flat=True)),
        )
        try:
            target = request_lifecycle.MACHINE.apply(locked.state, action, facts, now=now, reason=reason)
        except TransitionNotAllowed as exc:
            raise TransitionRefused.from_domain(exc) from exc
        locked.state, locked.decided_by, locked.decided_at, locked.reason = target.value, actor, now, reason.strip()
        locked.save(update_fields=["state", "decided_by", "decided_at", "reason"])
        role = role_rules.LABELS[locked.role]
        _audit(actor, person, ["rollen"], f"verzoek {role}: {target.value}" + (f" ({reason.strip()})" if reason.strip() else ""))
        if target == RequestState.BEVESTIGD:
            UserRole.objects.get_or_create(user=person, role=locked.role)
            person.__dict__.pop("_role_codes", None)
            plan = RolePlan(grant=frozenset({locked.role}), confirm=frozenset(), revoke=frozenset())
            _tell_privacy_officers(person, plan, key=f"rolverzoek:{locked.pk}:bevestigd")
        requester = locked.requested_by
        if target != RequestState.INGETROKKEN and requester.pk != actor.pk and requester.is_active:
            why = f" ({reason.strip()})" if target == RequestState.VERVALLEN else ""
            notify(
                recipients=[requester],
                kind=Kind.ROL_BEVESTIGEN,
                title=f"{_label(actor)} heeft de rol {role} voor {_label(person)} {target.value}{why}"
                if target != RequestState.VERVALLEN
                else f"Uw verzoek om de rol {role} voor {_label(person)} is vervallen{why}",
                link=reverse("accounts:users") + "#verzoeken",
                key=f"rolverzoek:{locked.pk}:{target.value}",
            )
    return locked


def end_sessions(user: User, *, tokens: bool = True) -> int:
    """Log the person out everywhere: every session they logged in with (and their API tokens)."""
    keys = list(LoginSession.objects.filter(user=user).values_list("session_key", flat=True))
    ended, _ = Session.objects.filter(session_key__in=keys).delete()
    LoginSession.objects.filter(user=user).delete()
    if tokens:
        Token.objects.filter(user=user).delete()
    return ended


def _lapse_requests_of(actor: Any, user: User, now: datetime) -> None:
    """A deactivated account leaves no grant waiting: neither one for it nor one it asked for."""
    waiting = RoleRequest.objects.filter(Q(user=user) | Q(requested_by=user), state=RoleRequestState.WACHT)
    for request in waiting.order_by("pk"):
        whose = "de betrokkene" if request.user_id == user.pk else "de aanvrager"
        role_request_transition(actor=actor, request=request, action=RoleAction.VERVALLEN, reason=f"het account van {whose} is gedeactiveerd", now=now)


def user_set_active(*, actor: Any, user: User, active: bool, now: datetime | None = None) -> User:
    """(De)activate an account; deactivating ends its sessions and API tokens at once."""
    policy.require(actor, "users.manage", user)
    if user.pk == actor.pk and not active:
        raise RoleError("U kunt uw eigen account niet blokkeren.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_active == active:
            return locked
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        if not active:
            end_sessions(locked)
            _lapse_requests_of(actor, locked, now)
        _audit(actor, locked, ["account"], "geactiveerd" if active else "gedeactiveerd; sessies en API-sleutels beëindigd")
        held = set(locked.role_codes) & role_rules.PRIVILEGED
        if held:
            plan = RolePlan(grant=frozenset(held) if active else frozenset(), confirm=frozenset(), revoke=frozenset() if active else frozenset(held))
            _tell_privacy_officers(locked, plan, key=f"actief:{locked.pk}:{now.isoformat()}")
    user.is_active = active
    return locked


def user_reset_two_factor(*, actor: Any, user: User) -> None:
    """Remove the user's TOTP devices and backup codes: at the next login they set up a new authenticator."""
    from django_otp import devices_for_user

    policy.require(actor, "users.manage", user)
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        end_sessions(user, tokens=False)
        _audit(actor, user, ["tweestapsverificatie"], "2FA opnieuw instellen")
