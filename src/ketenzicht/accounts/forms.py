from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from ketenzicht.accounts.models import Organisation, Role, User

# Roles a person can hold; the system role belongs to the job account only (accounts/system.py).
PERSON_ROLES = [(value, label) for value, label in Role.choices if value != Role.SYSTEEM]


class InviteForm(forms.Form):
    first_name = forms.CharField(label=_("Voornaam"), max_length=150)
    last_name = forms.CharField(label=_("Achternaam"), max_length=150)
    email = forms.EmailField(label=_("E-mailadres"), help_text=_("De uitnodiging gaat naar dit adres; de collega logt ermee in."))
    organisation = forms.ModelChoiceField(label=_("Organisatie"), queryset=Organisation.objects.none())
    roles = forms.MultipleChoiceField(
        label=_("Rollen"), choices=PERSON_ROLES, widget=forms.CheckboxSelectMultiple,
        help_text=_("Beheerder en privacy officer gaan pas in als een tweede beheerder van uw regio ze bevestigt."),
    )

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists() or User.objects.filter(username__iexact=email).exists():
            raise forms.ValidationError(_("Er is al een account met dit e-mailadres."))
        return email


class UserRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(label=_("Rollen"), choices=PERSON_ROLES, widget=forms.CheckboxSelectMultiple, required=False)


class RoleRefuseForm(forms.Form):
    reason = forms.CharField(label=_("Reden van de weigering"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class LinkPasswordForm(SetPasswordForm):
    """Django's set-password form (its validators and Dutch messages); typed input stays on error."""

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget = forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"})
        self.fields["new_password1"].label = _("Nieuw wachtwoord")
        self.fields["new_password2"].label = _("Herhaal het nieuwe wachtwoord")
        self.fields["new_password1"].help_text = _("Minstens 12 tekens, niet alleen cijfers, niet te gewoon en niet te veel lijkend op uw naam of e-mailadres.")


class ForgotPasswordForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres"))


class SsoCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code uit uw app"), regex=r"^[0-9]{6}$", max_length=6,
        error_messages={"invalid": _("Typ de zes cijfers die uw app nu laat zien."), "required": _("Vul de code uit uw app in.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
