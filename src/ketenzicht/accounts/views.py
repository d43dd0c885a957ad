"""User administration for the beheerder: no access to case contents."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ketenzicht.accounts import services
from ketenzicht.accounts.forms import UserCreateForm, UserRolesForm
from ketenzicht.accounts.models import Organisation, User
from ketenzicht.core import policy
from ketenzicht.core.decorators import policy_view


def _organisations(user: User) -> QuerySet[Organisation]:
    org = user.organisation
    return Organisation.objects.filter(region_id=org.region_id) if org is not None else Organisation.objects.none()


@policy_view("users.manage")
def users(request: HttpRequest) -> HttpResponse:
    orgs = _organisations(request.user)
    people = User.objects.filter(organisation__in=orgs).select_related("organisation").prefetch_related("roles")
    if request.method == "POST":
        form = UserCreateForm(request.POST, organisations=orgs)
        if form.is_valid():
            data = form.cleaned_data
            user = services.user_create(actor=request.user, username=data["username"], email=data["email"], first_name=data["first_name"], last_name=data["last_name"], organisation=data["organisation"], roles=data["roles"])
            messages.success(request, _("Account %(name)s is aangemaakt. Bij de eerste keer inloggen stelt de gebruiker een wachtwoord en tweestapsverificatie in.") % {"name": user.username})
            return redirect("accounts:users")
    else:
        form = UserCreateForm(organisations=orgs)
    return render(request, "accounts/users.html", {"people": people, "form": form})


@policy_view("users.manage")
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(User.objects.select_related("organisation"), pk=user_id)
    policy.require(request.user, "users.manage", person)
    if request.method == "POST":
        if "reset_2fa" in request.POST:
            services.user_reset_two_factor(actor=request.user, user=person)
            messages.success(request, _("Tweestapsverificatie is gewist; de gebruiker stelt die opnieuw in."))
            return redirect("accounts:user_edit", user_id=person.pk)
        form = UserRolesForm(request.POST)
        if form.is_valid():
            services.user_set_roles(actor=request.user, user=person, roles=form.cleaned_data["roles"])
            try:
                services.user_set_active(actor=request.user, user=person, active=form.cleaned_data["is_active"])
            except ValueError as exc:
                form.add_error("is_active", str(exc))
            else:
                messages.success(request, _("De wijzigingen zijn opgeslagen."))
                return redirect("accounts:users")
    else:
        form = UserRolesForm(initial={"roles": sorted(person.role_codes), "is_active": person.is_active})
    return render(request, "accounts/user_edit.html", {"person": person, "form": form})
