"""A colleague's own way in: the invitation link, setting a password, "wachtwoord vergeten".

The token from the mail is checked and then kept (hashed) in the session, and the browser is sent
on to a page whose address holds no token: it never lingers in history, logs or a Referer.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ketenzicht.accounts import links, two_factor_texts
from ketenzicht.accounts.forms import ForgotPasswordForm, LinkPasswordForm, SsoCodeForm
from ketenzicht.accounts.models import AccountLinkPurpose
from ketenzicht.core.ratelimit import rate_limited

SESSION_KEY = "account_link"


@never_cache
def link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found = links.link_check(token)
    except links.LinkError as exc:
        return render(request, "accounts/link_invalid.html", {"problem": str(exc)}, status=400)
    request.session[SESSION_KEY] = found.token_hash
    return redirect("account:set_password")


@never_cache
def set_password(request: HttpRequest) -> HttpResponse:
    digest = request.session.get(SESSION_KEY, "")
    try:
        found = links.link_check(digest, hashed=True)
    except links.LinkError as exc:
        return render(request, "accounts/link_invalid.html", {"problem": str(exc)}, status=400)
    invitation = found.purpose == AccountLinkPurpose.UITNODIGING
    form = LinkPasswordForm(found.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = links.link_use(digest=digest, password=form.cleaned_data["new_password1"])
        except links.LinkError as exc:
            return render(request, "accounts/link_invalid.html", {"problem": str(exc)}, status=400)
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            request.session.pop(SESSION_KEY, None)
            if invitation:
                # The password step is done; the second factor is set up next (the 2FA middleware
                # lets nothing else through until it is).
                login(request, user, backend="ketenzicht.accounts.backends.UsernameOrEmailBackend")
                messages.success(request, _("Uw wachtwoord is ingesteld. Stel nu de tweestapsverificatie in."))
                return redirect("two_factor:setup")
            messages.success(request, _("Uw wachtwoord is gewijzigd. Log in met uw nieuwe wachtwoord en de code uit uw app."))
            return redirect("two_factor:login")
    context = {"form": form, "invitation": invitation, "person": found.user}
    return render(request, "accounts/set_password.html", context, status=400 if form.errors else 200)


@never_cache
@rate_limited("password_reset", 10, 3600)
def forgot_password(request: HttpRequest) -> HttpResponse:
    form = ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        links.password_reset_request(email=form.cleaned_data["email"])
        # The same answer whether or not the address has an account.
        return render(request, "accounts/forgot_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "accounts/forgot.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
@rate_limited("sso_code", 10, 300)
def sso_code(request: HttpRequest) -> HttpResponse:
    """After an SSO login without MFA at the provider: the code of the Ketenzicht authenticator."""
    from django_otp import login as otp_login
    from django_otp import match_token

    if not request.user.is_authenticated:
        return redirect("two_factor:login")
    form = SsoCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect("home")
        form.add_error("code", two_factor_texts.WRONG_CODE)
    return render(request, "accounts/sso_code.html", {"form": form}, status=400 if form.errors else 200)
