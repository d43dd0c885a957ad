from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ketenzicht.accounts.models import Organisation, Role, User

# Roles a person can hold; the system role belongs to the job account only (accounts/system.py).
PERSON_ROLES = [(value, label) for value, label in Role.choices if value != Role.SYSTEEM]


class UserCreateForm(forms.Form):
    username = forms.RegexField(label=_("Gebruikersnaam"), regex=r"^[a-z0-9._-]{3,150}$", error_messages={"invalid": _("Gebruik 3 tot 150 kleine letters, cijfers, punt, streepje of liggend streepje.")})
    first_name = forms.CharField(label=_("Voornaam"), max_length=150)
    last_name = forms.CharField(label=_("Achternaam"), max_length=150)
    email = forms.EmailField(label=_("E-mailadres"))
    organisation = forms.ModelChoiceField(label=_("Organisatie"), queryset=Organisation.objects.none())
    roles = forms.MultipleChoiceField(label=_("Rollen"), choices=PERSON_ROLES, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: object, organisations: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if organisations is not None:
            self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("Deze gebruikersnaam bestaat al."))
        return username


class UserRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(label=_("Rollen"), choices=PERSON_ROLES, widget=forms.CheckboxSelectMultiple, required=False)
    is_active = forms.BooleanField(label=_("Account actief"), required=False)
