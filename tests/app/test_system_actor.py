"""The system actor: one named account for commands and jobs, which nobody can log in as."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from ketenzicht.accounts.models import Role, User
from ketenzicht.accounts.system import SYSTEM_USERNAME, is_system, system_actor
from ketenzicht.audit.models import AuditEvent
from ketenzicht.audit.services import audit_record
from tests.support import Cast

pytestmark = pytest.mark.django_db


def test_one_account_marked_with_its_job() -> None:
    purge = system_actor("purge")
    reminders = system_actor("reminders")
    assert purge.pk == reminders.pk
    assert User.objects.filter(username=SYSTEM_USERNAME).count() == 1
    assert purge.has_role(Role.SYSTEEM) and is_system(purge)
    row = audit_record(actor=purge, action="purge", object_type="case", object_id="x")
    assert AuditEvent.objects.get(pk=row.pk).actor_label == "systeem (purge)"


def test_nobody_logs_in_as_the_system(cast: Cast) -> None:
    actor = system_actor("purge")
    assert not actor.has_usable_password()
    for password in ("", "systeem"):
        request = RequestFactory().post("/account/login/")
        assert authenticate(request, username=SYSTEM_USERNAME, password=password) is None


def test_a_person_is_not_the_system(cast: Cast) -> None:
    assert not is_system(cast.hanna)
    assert not is_system(None)
    with pytest.raises(ValueError):
        system_actor(" ")


def test_no_beheerder_grants_the_system_role(cast: Cast) -> None:
    from ketenzicht.accounts.forms import UserRolesForm
    from ketenzicht.accounts.services import user_set_roles

    assert not UserRolesForm(data={"roles": ["systeem"]}).is_valid()
    with pytest.raises(ValueError):
        user_set_roles(actor=cast.hanna, user=cast.otto, roles=["systeem"])
    assert not cast.otto.has_role(Role.SYSTEEM)
