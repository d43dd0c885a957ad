"""The beheerder's user management over two regions: own region only, never own roles, four eyes
on beheerder and privacy officer, privacy officers told of every privileged change (issue 13 item 3)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from rest_framework.authtoken.models import Token

from ketenzicht.accounts import services
from ketenzicht.accounts.models import RoleRequest, RoleRequestState, User, UserRole
from ketenzicht.audit.models import AuditEvent
from ketenzicht.core.errors import ServiceError, TransitionRefused
from ketenzicht.domain.lifecycles.role_request import MACHINE as REQUEST_LIFECYCLE
from ketenzicht.domain.roles import RoleError
from ketenzicht.notifications.models import Kind, Notification
from tests.app.accounts_support import OtherRegion, other_region, real_login
from tests.support import PASSWORD, Cast, login, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def zwb(cast: Cast) -> OtherRegion:
    return other_region()


@pytest.fixture
def hugo(cast: Cast) -> User:
    """A second beheerder of Den Haag, for the four eyes."""
    return make_user("hugo", "districtscoordinatie-leiden-bollenstreek", "beheerder")


def _roles(user: User) -> set[str]:
    return set(User.objects.get(pk=user.pk).roles.values_list("role", flat=True))


def test_the_list_shows_names_of_the_own_region_only_with_roles_last_login_and_2fa(cast: Cast, zwb: OtherRegion) -> None:
    page = login(Client(), cast.hanna).get("/beheer/gebruikers/").content.decode()
    assert "Anouk Test" in page and "Gemeente Zoeterwoude" in page and "Aandachtsfunctionaris" in page
    assert "nog nooit" in page and "ingesteld" in page
    assert ">anouk<" not in page  # names, not usernames, label the people
    assert "Zoe Test" not in page and "Vera Test" not in page and "Gemeente Vlissingen" not in page
    other = login(Client(), zwb.zoe).get("/beheer/gebruikers/").content.decode()
    assert "Vera Test" in other and "Anouk Test" not in other


def test_a_beheerder_cannot_touch_the_other_regions_users(cast: Cast, zwb: OtherRegion) -> None:
    client = login(Client(), cast.hanna)
    assert client.get(f"/beheer/gebruikers/{zwb.vera.pk}/").status_code == 403
    assert client.post(f"/beheer/gebruikers/{zwb.vera.pk}/", {"roles": ["melder"]}).status_code == 403
    assert client.post(f"/beheer/gebruikers/{zwb.vera.pk}/account/", {"actie": "deactiveren"}).status_code == 403
    assert _roles(zwb.vera) == {"aandachtsfunctionaris"} and User.objects.get(pk=zwb.vera.pk).is_active
    with pytest.raises(PermissionDenied):
        services.user_set_roles(actor=zwb.zoe, user=cast.otto, roles=["melder"])
    # Inviting into another region's organisation is refused too.
    response = client.post("/beheer/gebruikers/", {"first_name": "X", "last_name": "Y", "email": "x@example.test", "organisation": zwb.vlissingen.pk, "roles": ["melder"]})
    assert response.status_code == 400 and not User.objects.filter(email="x@example.test").exists()


def test_a_beheerder_cannot_give_itself_roles(cast: Cast) -> None:
    """Why: 'a beheerder can give itself every role'."""
    client = login(Client(), cast.hanna)
    response = client.post(f"/beheer/gebruikers/{cast.hanna.pk}/", {"roles": ["beheerder", "privacy_officer", "ketenregisseur", "aandachtsfunctionaris"]})
    assert response.status_code == 400
    assert "U kunt uw eigen rollen niet wijzigen" in response.content.decode()
    assert _roles(cast.hanna) == {"beheerder"} and not RoleRequest.objects.exists()
    with pytest.raises(RoleError):
        services.user_set_roles(actor=cast.hanna, user=cast.hanna, roles=["beheerder", "ketenregisseur"])


def test_a_privacy_officer_grants_no_role(cast: Cast) -> None:
    """Why: 'a privacy officer [gives] the AF role'."""
    client = login(Client(), cast.gijs)
    assert client.post(f"/beheer/gebruikers/{cast.otto.pk}/", {"roles": ["aandachtsfunctionaris"]}).status_code == 403
    assert client.post(f"/beheer/gebruikers/{cast.gijs.pk}/", {"roles": ["privacy_officer", "aandachtsfunctionaris"]}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.user_set_roles(actor=cast.gijs, user=cast.otto, roles=["aandachtsfunctionaris"])
    assert _roles(cast.otto) == set() and _roles(cast.gijs) == {"privacy_officer"}


def test_a_privacy_officer_is_not_made_af_by_anyone(cast: Cast) -> None:
    """Why: after a privacy officer got the AF role, that person read victims' names."""
    response = login(Client(), cast.hanna).post(f"/beheer/gebruikers/{cast.gijs.pk}/", {"roles": ["privacy_officer", "aandachtsfunctionaris"]})
    assert response.status_code == 400 and "gaan niet samen" in response.content.decode()
    assert _roles(cast.gijs) == {"privacy_officer"}


def test_beheerder_and_privacy_officer_wait_for_a_second_beheerder(cast: Cast, hugo: User, zwb: OtherRegion, django_capture_on_commit_callbacks) -> None:
    hanna = login(Client(), cast.hanna)
    with django_capture_on_commit_callbacks(execute=True):
        response = hanna.post(f"/beheer/gebruikers/{cast.otto.pk}/", {"roles": ["beheerder", "melder"]}, follow=True)
    assert "gaat in zodra een tweede beheerder" in response.content.decode()
    assert _roles(cast.otto) == {"melder"}  # the ordinary role now, beheerder waits
    request = RoleRequest.objects.get(user=cast.otto, role="beheerder", state="wacht")
    # Visible to both beheerders; hugo is told, nobody in the other region is.
    assert "Verzoek intrekken" in hanna.get("/beheer/gebruikers/").content.decode()
    hugo_client = login(Client(), hugo)
    assert "Bevestigen" in hugo_client.get("/beheer/gebruikers/").content.decode()
    assert Notification.objects.filter(recipient=hugo, kind=Kind.ROL_BEVESTIGEN).exists()
    assert not Notification.objects.filter(recipient__in=[zwb.zoe, zwb.piet]).exists()
    # Neither the one who asked nor the one it concerns nor the other region decides.
    for who in (cast.hanna, zwb.zoe):
        with pytest.raises((PermissionDenied, ServiceError)):
            services.role_request_transition(actor=who, request=request, action="bevestigen")
    assert login(Client(), zwb.zoe).post(f"/beheer/gebruikers/verzoeken/{request.pk}/", {"actie": "bevestigen"}).status_code == 403
    assert "beheerder" not in _roles(cast.otto)
    with django_capture_on_commit_callbacks(execute=True):
        hugo_client.post(f"/beheer/gebruikers/verzoeken/{request.pk}/", {"actie": "bevestigen"})
    assert _roles(cast.otto) == {"melder", "beheerder"}
    # The region's privacy officer hears of the privileged change; the other region's does not.
    told = Notification.objects.get(recipient=cast.gijs, kind=Kind.ROLWIJZIGING)
    assert "beheerder" in told.title and "Otto Test" in told.title
    assert not Notification.objects.filter(recipient=zwb.piet).exists()
    assert Notification.objects.filter(recipient=cast.hanna, kind=Kind.ROL_BEVESTIGEN, title__contains="bevestigd").exists()
    assert AuditEvent.objects.filter(object_type="user", object_id=str(cast.otto.pk), reason__contains="bevestigd").exists()


def test_a_refusal_needs_a_reason_and_grants_nothing(cast: Cast, hugo: User) -> None:
    services.user_set_roles(actor=cast.hanna, user=cast.otto, roles=["privacy_officer"])
    request = RoleRequest.objects.get(user=cast.otto)
    hugo_client = login(Client(), hugo)
    page = hugo_client.post(f"/beheer/gebruikers/verzoeken/{request.pk}/", {"actie": "weigeren", "reason": " "}, follow=True).content.decode()
    assert "Geef de reden van de weigering" in page
    request.refresh_from_db()
    assert request.state == "wacht"
    hugo_client.post(f"/beheer/gebruikers/verzoeken/{request.pk}/", {"actie": "weigeren", "reason": "Niet nodig voor haar werk."})
    request.refresh_from_db()
    assert request.state == "geweigerd" and request.reason == "Niet nodig voor haar werk." and _roles(cast.otto) == set()
    # Asked again after a refusal: a new request, not a silent grant.
    services.user_set_roles(actor=cast.hanna, user=cast.otto, roles=["privacy_officer"])
    assert RoleRequest.objects.filter(user=cast.otto, state="wacht").count() == 1 and _roles(cast.otto) == set()


def test_every_privileged_change_is_told_to_the_regions_privacy_officers(cast: Cast, zwb: OtherRegion, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.user_set_roles(actor=cast.hanna, user=cast.otto, roles=["aandachtsfunctionaris"])
        services.user_set_roles(actor=cast.hanna, user=cast.chantal, roles=["melder", "overlegdeelnemer"])  # not privileged
        services.user_set_roles(actor=cast.hanna, user=cast.anouk, roles=[])
    titles = sorted(Notification.objects.filter(recipient=cast.gijs, kind=Kind.ROLWIJZIGING).values_list("title", flat=True))
    assert len(titles) == 2
    assert "Otto Test" in titles[1] and "toegekend: aandachtsfunctionaris" in titles[1]
    assert "Anouk Test" in titles[0] and "ingetrokken: aandachtsfunctionaris" in titles[0]
    assert not Notification.objects.filter(recipient=zwb.piet).exists()


def test_roles_fit_the_organisation(cast: Cast) -> None:
    with pytest.raises(RoleError, match="medewerker van een gemeente"):
        services.user_set_roles(actor=cast.hanna, user=cast.esra, roles=["overlegdeelnemer", "aandachtsfunctionaris"])
    with pytest.raises(RoleError, match="partnerorganisatie"):
        services.user_set_roles(actor=cast.hanna, user=cast.otto, roles=["ketenpartner"])


def test_deactivating_ends_the_sessions_and_api_tokens_at_once(cast: Cast) -> None:
    anouk = Client()
    assert real_login(anouk, "anouk", PASSWORD, cast.anouk).status_code == 302
    assert anouk.get("/werkvoorraad/").status_code == 200
    assert login(Client(), cast.hanna).post(f"/beheer/gebruikers/{cast.anouk.pk}/account/", {"actie": "deactiveren"}).status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=anouk.session.session_key).exists()
    assert anouk.get("/werkvoorraad/").status_code == 302
    pim_token = Token.objects.get(user=cast.pim).key
    services.user_set_active(actor=cast.hanna, user=cast.pim, active=False)
    assert not Token.objects.filter(key=pim_token).exists()
    assert Client().get("/api/v1/gemeenten", HTTP_AUTHORIZATION=f"Token {pim_token}").status_code == 401
    with pytest.raises(RoleError):
        services.user_set_active(actor=cast.hanna, user=cast.hanna, active=False)


def test_deactivating_lets_the_grants_for_and_by_the_account_lapse(cast: Cast, hugo: User, zwb: OtherRegion, django_capture_on_commit_callbacks) -> None:
    """A blocked account leaves no grant waiting that a second beheerder could still confirm."""
    services.user_set_roles(actor=cast.hanna, user=cast.otto, roles=["beheerder"])  # for Otto, by Hanna
    services.user_set_roles(actor=hugo, user=cast.chantal, roles=["privacy_officer"])  # by Hugo, for Chantal
    services.user_set_roles(actor=zwb.zoe, user=zwb.vera, roles=["aandachtsfunctionaris", "beheerder"])  # the other region
    hanna = login(Client(), cast.hanna)
    with django_capture_on_commit_callbacks(execute=True):
        assert hanna.post(f"/beheer/gebruikers/{cast.otto.pk}/account/", {"actie": "deactiveren"}).status_code == 302
        assert hanna.post(f"/beheer/gebruikers/{hugo.pk}/account/", {"actie": "deactiveren"}).status_code == 302
    lapsed = {r.user_id: r for r in RoleRequest.objects.filter(state=RoleRequestState.VERVALLEN)}
    assert set(lapsed) == {cast.otto.pk, cast.chantal.pk}
    assert lapsed[cast.otto.pk].reason == "het account van de betrokkene is gedeactiveerd"
    assert lapsed[cast.chantal.pk].reason == "het account van de aanvrager is gedeactiveerd"
    assert lapsed[cast.otto.pk].decided_by_id == cast.hanna.pk
    assert RoleRequest.objects.get(user=zwb.vera).state == RoleRequestState.WACHT  # the other region's stays
    # Hanna asked for Otto; Hanna deactivated him herself, so nobody needs telling. Hugo is blocked: not told either.
    assert not Notification.objects.filter(kind=Kind.ROL_BEVESTIGEN, title__contains="vervallen").exists()
    # Nothing waits on the page any more, and a lapsed request cannot be confirmed afterwards.
    anouk_beheerder = make_user("bea", "districtscoordinatie-leiden-bollenstreek", "beheerder")
    page = login(Client(), anouk_beheerder).get("/beheer/gebruikers/").content.decode()
    assert "Bevestigen" not in page
    with pytest.raises(TransitionRefused, match="status 'Vervallen'"):
        services.role_request_transition(actor=anouk_beheerder, request=lapsed[cast.chantal.pk], action="bevestigen")
    assert "privacy_officer" not in _roles(cast.chantal) and "beheerder" not in _roles(cast.otto)
    reasons = list(AuditEvent.objects.filter(object_type="user", object_id=str(cast.chantal.pk)).values_list("reason", flat=True))
    assert any("vervallen (het account van de aanvrager is gedeactiveerd)" in r for r in reasons)


def test_the_one_who_asked_hears_when_a_request_lapses(cast: Cast, hugo: User, django_capture_on_commit_callbacks) -> None:
    services.user_set_roles(actor=hugo, user=cast.otto, roles=["privacy_officer"])
    with django_capture_on_commit_callbacks(execute=True):
        services.user_set_active(actor=cast.hanna, user=cast.otto, active=False)
    told = Notification.objects.get(recipient=hugo, kind=Kind.ROL_BEVESTIGEN, title__contains="vervallen")
    assert told.title == "Uw verzoek om de rol privacy officer voor Otto Test is vervallen (het account van de betrokkene is gedeactiveerd)"


def test_a_role_granted_meanwhile_that_clashes_blocks_the_confirmation(cast: Cast, hugo: User) -> None:
    services.user_set_roles(actor=cast.hanna, user=cast.otto, roles=["privacy_officer"])
    request = RoleRequest.objects.get(user=cast.otto)
    # Through the page: AF is refused while the privacy officer grant waits.
    response = login(Client(), cast.hanna).post(f"/beheer/gebruikers/{cast.otto.pk}/", {"roles": ["aandachtsfunctionaris"]})
    assert response.status_code == 400 and "wacht nog een verzoek om de rol privacy officer" in response.content.decode()
    assert _roles(cast.otto) == set()
    # A grant that got in anyway (a concurrent change, a loader): the second beheerder cannot confirm the clash.
    UserRole.objects.create(user=cast.otto, role="aandachtsfunctionaris")
    page = login(Client(), hugo).post(f"/beheer/gebruikers/verzoeken/{request.pk}/", {"actie": "bevestigen"}, follow=True).content.decode()
    assert "gaat niet samen met de rol aandachtsfunctionaris" in page
    request.refresh_from_db()
    assert request.state == RoleRequestState.WACHT and _roles(cast.otto) == {"aandachtsfunctionaris"}


def test_a_request_cannot_be_made_to_lapse_from_the_page(cast: Cast, hugo: User) -> None:
    services.user_set_roles(actor=cast.hanna, user=cast.otto, roles=["beheerder"])
    request = RoleRequest.objects.get(user=cast.otto)
    for who in (cast.hanna, hugo):
        page = login(Client(), who).post(f"/beheer/gebruikers/verzoeken/{request.pk}/", {"actie": "vervallen", "reason": "x"}, follow=True).content.decode()
        assert "Kies of u het verzoek bevestigt, weigert of intrekt" in page
    request.refresh_from_db()
    assert request.state == RoleRequestState.WACHT


def test_only_the_one_who_asked_withdraws(cast: Cast, hugo: User) -> None:
    services.user_set_roles(actor=cast.hanna, user=cast.otto, roles=["beheerder"])
    request = RoleRequest.objects.get(user=cast.otto)
    page = login(Client(), hugo).post(f"/beheer/gebruikers/verzoeken/{request.pk}/", {"actie": "intrekken"}, follow=True).content.decode()
    assert "Alleen wie het verzoek deed, kan het intrekken" in page
    assert RoleRequest.objects.get(pk=request.pk).state == RoleRequestState.WACHT
    login(Client(), cast.hanna).post(f"/beheer/gebruikers/verzoeken/{request.pk}/", {"actie": "intrekken"})
    assert RoleRequest.objects.get(pk=request.pk).state == RoleRequestState.INGETROKKEN


def test_the_models_states_are_the_lifecycles() -> None:
    assert [value for value, _label in RoleRequestState.choices] == [s.value for s in REQUEST_LIFECYCLE.states]


def test_taking_a_role_away_lets_a_request_for_it_lapse(cast: Cast) -> None:
    services.user_set_roles(actor=cast.hanna, user=cast.otto, roles=["beheerder"])
    UserRole.objects.create(user=cast.otto, role="beheerder")  # got in another way (a loader) while the grant waited
    services.user_set_roles(actor=cast.hanna, user=cast.otto, roles=[])
    request = RoleRequest.objects.get(user=cast.otto)
    assert (request.state, request.reason) == (RoleRequestState.VERVALLEN, "de rol is afgenomen")
    assert _roles(cast.otto) == set()
