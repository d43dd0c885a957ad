"""The named actor of commands and background jobs.

A command or a job never acts with `actor=None` and never skips the policy: it acts as this
one account, which holds only the role `systeem`. The policy module grants that role exactly
the actions a job needs (purging what is due, sending reminders, generating scheduled board
reports, importing a file given on the command line …), each rule deciding on the object as
for a person. The account cannot log in: it has no usable password, no second factor and is
refused by every login path; no beheerder can grant its role.

`job` names what is running ("purge", "reminders", "monitor-import" …). It is recorded in the
audit trail beside the account, so a reader sees which job acted.
"""

from __future__ import annotations

from ketenzicht.accounts.models import Role, User, UserRole

SYSTEM_USERNAME = "systeem"


def system_actor(job: str) -> User:
    """The system account, marked with the job it acts for (see the module docstring)."""
    if not job or not job.strip():
        raise ValueError("system_actor needs the name of the job it acts for")
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "Systeem", "last_name": "", "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    UserRole.objects.get_or_create(user=user, role=Role.SYSTEEM)
    user.job = job.strip()  # type: ignore[attr-defined]
    # The policy asks for roles on every check; the fresh row may hold a stale cache.
    user.__dict__.pop("_role_codes", None)
    return user


def is_system(user: object) -> bool:
    """True for the system actor (by role, not by name: a person named 'systeem' is a person)."""
    has_role = getattr(user, "has_role", None)
    return bool(has_role and has_role(Role.SYSTEEM))
