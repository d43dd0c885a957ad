"""The notification centre: a person's own notifications and e-mail preferences."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ketenzicht.core.decorators import policy_view
from ketenzicht.notifications import selectors, services
from ketenzicht.notifications.forms import PreferencesForm


@policy_view("account.self")
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_of(request.user), 25).get_page(request.GET.get("pagina"))
    return render(request, "notifications/list.html", {"page": page})


@policy_view("account.self")
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark as read and go where the notification points (only ever inside Ketenzicht)."""
    notification = get_object_or_404(selectors.notifications_of(request.user), pk=notification_id)
    services.mark_read(actor=request.user, notification=notification)
    target = notification.link
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None) or not target.startswith("/"):
        target = "notifications:list"
    return redirect(target)


@require_POST
@policy_view("account.self")
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(actor=request.user)
    messages.success(request, _("Alle berichten zijn als gelezen gemarkeerd."))
    return redirect("notifications:list")


@policy_view("account.self")
def notification_preferences(request: HttpRequest) -> HttpResponse:
    current = services.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        services.preferences_set(actor=request.user, choices=form.cleaned_data)
        messages.success(request, _("Uw voorkeuren zijn opgeslagen."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form}, status=400 if form.errors else 200)
