"""User administration by the beheerder: audited, scoped to the beheerder's region."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from ketenzicht.accounts.models import Organisation, Role, User, UserRole
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.core import policy


def user_create(*, actor: Any, username: str, email: str, first_name: str, last_name: str, organisation: Organisation, roles: Iterable[str], password: str | None = None) -> User:
    policy.require(actor, "users.manage", organisation)
    with transaction.atomic():
        user = User(username=username, email=email, first_name=first_name, last_name=last_name, organisation=organisation)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean()
        user.save()
        _set_roles(user, roles)
        audit_record(actor=actor, action=AuditAction.USER_ADMIN, object_type="user", object_id=user.pk, object_label=user.username, fields=["account", "rollen"], reason="aangemaakt")
    return user


def _set_roles(user: User, roles: Iterable[str]) -> None:
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if Role.SYSTEEM in wanted:
        raise ValueError("the system role belongs to the system actor only")
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    UserRole.objects.filter(user=user).exclude(role__in=wanted).delete()
    for role in wanted:
        UserRole.objects.get_or_create(user=user, role=role)
    if hasattr(user, "_role_codes"):
        del user._role_codes


def user_set_roles(*, actor: Any, user: User, roles: Iterable[str]) -> User:
    policy.require(actor, "users.manage", user)
    with transaction.atomic():
        _set_roles(user, roles)
        audit_record(actor=actor, action=AuditAction.USER_ADMIN, object_type="user", object_id=user.pk, object_label=user.username, fields=["rollen"], reason=",".join(sorted(roles)))
    return user


def user_set_active(*, actor: Any, user: User, active: bool) -> User:
    policy.require(actor, "users.manage", user)
    if user.pk == actor.pk and not active:
        raise ValueError("U kunt uw eigen account niet blokkeren.")
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(actor=actor, action=AuditAction.USER_ADMIN, object_type="user", object_id=user.pk, object_label=user.username, fields=["account"], reason="geactiveerd" if active else "geblokkeerd")
    return user


def user_reset_two_factor(*, actor: Any, user: User) -> None:
    """Remove the user's TOTP devices: at the next login they set up a new authenticator."""
    from django_otp import devices_for_user

    policy.require(actor, "users.manage", user)
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        audit_record(actor=actor, action=AuditAction.USER_ADMIN, object_type="user", object_id=user.pk, object_label=user.username, fields=["tweestapsverificatie"], reason="2FA opnieuw instellen")
