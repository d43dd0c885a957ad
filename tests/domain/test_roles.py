"""The role rules without a database: self-change, four eyes, incompatible roles, request machine."""

from __future__ import annotations

import pytest

from ketenzicht.domain.roles import RequestState, RoleError, decide_request, plan_roles


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


def test_request_machine() -> None:
    assert decide_request(state="wacht", action="bevestigen", by_requester=False, by_subject=False) is RequestState.BEVESTIGD
    assert decide_request(state="wacht", action="intrekken", by_requester=True, by_subject=False) is RequestState.INGETROKKEN
    assert decide_request(state="wacht", action="weigeren", by_requester=False, by_subject=False, reason="x") is RequestState.GEWEIGERD
    for kwargs in (
        {"state": "wacht", "action": "bevestigen", "by_requester": True, "by_subject": False},
        {"state": "wacht", "action": "bevestigen", "by_requester": False, "by_subject": True},
        {"state": "wacht", "action": "weigeren", "by_requester": False, "by_subject": False, "reason": " "},
        {"state": "bevestigd", "action": "bevestigen", "by_requester": False, "by_subject": False},
        {"state": "wacht", "action": "intrekken", "by_requester": False, "by_subject": False},
    ):
        with pytest.raises(RoleError):
            decide_request(**kwargs)
