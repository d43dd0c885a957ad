"""User administration for the beheerder: people of the own region, no access to case contents."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketenzicht.accounts import links, services
from ketenzicht.accounts.forms import InviteForm, RoleRefuseForm, UserRolesForm
from ketenzicht.accounts.models import Organisation, RoleRequest, RoleRequestState, User, UserRole
from ketenzicht.core import policy
from ketenzicht.core.decorators import policy_view
from ketenzicht.core.errors import ServiceError
from ketenzicht.domain.roles import LABELS, RoleError, RolePlan


def _organisations(user: User) -> QuerySet[Organisation]:
    org = user.organisation
    return Organisation.objects.filter(region_id=org.region_id) if org is not None and org.region_id else Organisation.objects.none()


def _people(user: User) -> QuerySet[User]:
    confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return (
        User.objects.filter(organisation__in=_organisations(user))
        .select_related("organisation")
        .prefetch_related(Prefetch("roles", queryset=UserRole.objects.order_by("role")))
        .annotate(has_totp=Exists(confirmed))
        .order_by("last_name", "first_name", "pk")
    )


def _waiting_requests(user: User) -> list[dict[str, object]]:
    waiting = list(
        RoleRequest.objects.filter(state=RoleRequestState.WACHT, user__organisation__in=_organisations(user))
        .select_related("user__organisation", "requested_by")
        .prefetch_related("user__roles")
    )
    for r in waiting:  # the policy asks each person's roles: one read for the whole list, not one per row
        r.user._role_codes = frozenset(role.role for role in r.user.roles.all())
    return [
        {"request": r, "role": LABELS[r.role], "can_decide": policy.can(user, "users.role_decide", r), "own": r.requested_by_id == user.pk}
        for r in waiting
    ]


def _plan_message(request: HttpRequest, plan: RolePlan) -> None:
    if plan.confirm:
        messages.info(request, _("De rol %(roles)s gaat in zodra een tweede beheerder van uw regio die bevestigt.") % {"roles": ", ".join(LABELS[r] for r in sorted(plan.confirm))})


@policy_view("users.manage")
def users(request: HttpRequest) -> HttpResponse:
    orgs = _organisations(request.user)
    form = InviteForm(request.POST or None, organisations=orgs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person, plan = services.user_create(actor=request.user, email=data["email"], first_name=data["first_name"], last_name=data["last_name"], organisation=data["organisation"], roles=data["roles"])
        except RoleError as exc:
            form.add_error("roles", str(exc))
        else:
            links.invitation_send(actor=request.user, user=person)
            messages.success(request, _("%(name)s is uitgenodigd. De uitnodiging staat in de mailbox van %(email)s; de link werkt %(days)d dagen.") % {"name": person.get_full_name(), "email": person.email, "days": links.settings.ACCOUNT_INVITATION_DAYS})
            _plan_message(request, plan)
            return redirect("accounts:users")
    context = {"people": _people(request.user), "form": form, "requests": _waiting_requests(request.user), "refuse_form": RoleRefuseForm()}
    return render(request, "accounts/users.html", context, status=400 if form.errors else 200)


def _person(request: HttpRequest, user_id: int) -> User:
    person = get_object_or_404(User.objects.select_related("organisation"), pk=user_id)
    policy.require(request.user, "users.manage", person)
    return person


@policy_view("users.manage")
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    person = _person(request, user_id)
    form = UserRolesForm(request.POST or None, initial={"roles": sorted(person.role_codes)})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.user_set_roles(actor=request.user, user=person, roles=form.cleaned_data["roles"])
        except RoleError as exc:
            form.add_error("roles", str(exc))
        else:
            messages.success(request, _("De rollen zijn opgeslagen."))
            _plan_message(request, plan)
            return redirect("accounts:user_edit", user_id=person.pk)
    context = {
        "person": person,
        "form": form,
        "own": person.pk == request.user.pk,
        "has_totp": TOTPDevice.objects.filter(user=person, confirmed=True).exists(),
        "invited": not person.has_usable_password() and not person.oidc_subject,
        "requests": [r for r in _waiting_requests(request.user) if r["request"].user_id == person.pk],  # type: ignore[attr-defined]
        "refuse_form": RoleRefuseForm(),
    }
    return render(request, "accounts/user_edit.html", context, status=400 if form.errors else 200)


@require_POST
@policy_view("users.manage")
def user_account(request: HttpRequest, user_id: int) -> HttpResponse:
    """The account buttons: deactivate, activate, reset 2FA, invite again."""
    person = _person(request, user_id)
    action = request.POST.get("actie", "")
    try:
        if action == "deactiveren":
            services.user_set_active(actor=request.user, user=person, active=False)
            messages.success(request, _("Het account is gedeactiveerd; alle sessies en API-sleutels zijn beëindigd."))
        elif action == "activeren":
            services.user_set_active(actor=request.user, user=person, active=True)
            messages.success(request, _("Het account is weer actief."))
        elif action == "2fa":
            services.user_reset_two_factor(actor=request.user, user=person)
            messages.success(request, _("Tweestapsverificatie is gewist; de collega stelt die bij de volgende keer inloggen opnieuw in."))
        elif action == "uitnodigen":
            links.invitation_send(actor=request.user, user=person)
            messages.success(request, _("De uitnodiging is opnieuw verstuurd; eerdere links werken niet meer."))
        else:
            messages.error(request, _("Kies wat u met het account wilt doen."))
    except (RoleError, ServiceError, links.LinkError) as exc:
        messages.error(request, str(exc))
    return redirect("accounts:user_edit", user_id=person.pk)


USER_DECISIONS = ("bevestigen", "weigeren", "intrekken")


@require_POST
@policy_view("users.manage")
def role_request(request: HttpRequest, request_id: int) -> HttpResponse:
    """Confirm, refuse (with a reason) or withdraw a role waiting for a second beheerder."""
    role_req = get_object_or_404(RoleRequest.objects.select_related("user__organisation"), pk=request_id)
    policy.require(request.user, "users.manage", role_req)
    action = request.POST.get("actie", "")
    if action not in USER_DECISIONS:  # a request lapses only through the services that make it moot
        messages.error(request, _("Kies of u het verzoek bevestigt, weigert of intrekt."))
        return redirect("accounts:users")
    form = RoleRefuseForm(request.POST) if action == "weigeren" else None
    if form is not None and not form.is_valid():
        messages.error(request, _("Geef de reden van de weigering; de aanvrager ziet die."))
        return redirect("accounts:users")
    try:
        services.role_request_transition(actor=request.user, request=role_req, action=action, reason=form.cleaned_data["reason"] if form else "")
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        done = {"bevestigen": _("De rol is bevestigd en toegekend."), "weigeren": _("Het verzoek is geweigerd."), "intrekken": _("Het verzoek is ingetrokken.")}
        messages.success(request, done.get(action, _("Opgeslagen.")))
    return redirect("accounts:users")
