"""The role rules without a database: self-change, four eyes, incompatible roles (the request's
lifecycle is tested in test_role_request_lifecycle.py)."""

from __future__ import annotations

import pytest

from ketenzicht.domain.roles import RoleError, plan_roles


def test_ordinary_roles_now_privileged_grants_wait_removals_now() -> None:
    plan = plan_roles(current={"melder", "beheerder"}, wanted={"ketenregisseur", "privacy_officer"}, self_change=False, municipal=True)
    assert plan.grant == {"ketenregisseur"} and plan.confirm == {"privacy_officer"}
    assert plan.revoke == {"melder", "beheerder"}
    assert plan.privileged_changes == {"ketenregisseur", "beheerder"}


def test_a_pending_grant_is_not_asked_twice() -> None:
    plan = plan_roles(current=set(), wanted={"beheerder"}, pending={"beheerder"}, self_change=False, municipal=False)
    assert plan.empty


@pytest.mark.parametrize(
    ("current", "wanted", "municipal", "message"),
    [
        ({"beheerder"}, {"beheerder", "ketenregisseur"}, False, "eigen rollen"),
        (set(), {"systeem"}, False, "systeem"),
        (set(), {"baas"}, True, "Onbekende rol"),
        (set(), {"privacy_officer", "aandachtsfunctionaris"}, True, "gaan niet samen"),
        (set(), {"aandachtsfunctionaris"}, False, "gemeente"),
        (set(), {"ketenpartner"}, True, "partnerorganisatie"),
    ],
)
def test_refused_changes_say_why(current: set[str], wanted: set[str], municipal: bool, message: str) -> None:
    with pytest.raises(RoleError, match=message):
        plan_roles(current=current, wanted=wanted, self_change=message == "eigen rollen", municipal=municipal)


def test_own_unchanged_roles_are_no_change() -> None:
    assert plan_roles(current={"beheerder"}, wanted={"beheerder"}, self_change=True, municipal=False).empty


def test_a_role_that_clashes_with_a_waiting_request_is_refused() -> None:
    """A privacy officer grant waits; making the person AF meanwhile would end in both roles."""
    with pytest.raises(RoleError, match="wacht nog een verzoek om de rol privacy officer"):
        plan_roles(current=set(), wanted={"aandachtsfunctionaris"}, pending={"privacy_officer"}, self_change=False, municipal=True)
    # Asked again with the waiting role in it: the ordinary clash message, nothing waits twice.
    with pytest.raises(RoleError, match="gaan niet samen"):
        plan_roles(current=set(), wanted={"aandachtsfunctionaris", "privacy_officer"}, pending={"privacy_officer"}, self_change=False, municipal=True)
    plan = plan_roles(current=set(), wanted={"melder"}, pending={"privacy_officer"}, self_change=False, municipal=True)
    assert plan.grant == {"melder"} and not plan.confirm
