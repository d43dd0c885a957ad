"""The login wizard of django-two-factor-auth, with the second-factor attempt limit.

Same URL, templates and steps; only the token and backup-code forms check the shared limit of
`core/lockout.py` first. A locked account gets a clear Dutch message and its code is not even
checked, so guessing during the lock gains nothing.
"""

from __future__ import annotations

import functools
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from two_factor.forms import AuthenticationTokenForm, BackupTokenForm
from two_factor.plugins.registry import registry
from two_factor.views.core import LoginView as TwoFactorLoginView

from ketenzicht.core import lockout


class _LimitedMixin(forms.Form):
    user: Any
    request: Any = None

    def clean(self) -> dict[str, Any]:
        if lockout.totp_locked(self.user):
            minutes = max(1, settings.TOTP_COOLOFF_SECONDS // 60)
            raise forms.ValidationError(
                _("Te veel onjuiste codes. Inloggen is tijdelijk geblokkeerd; probeer het over %(n)d minuten opnieuw.") % {"n": minutes},
                code="totp_locked",
            )
        try:
            cleaned = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            lockout.totp_failed(self.user, self.request)
            raise
        lockout.totp_succeeded(self.user)
        return cleaned


class LimitedTokenForm(_LimitedMixin, AuthenticationTokenForm):
    pass


class LimitedBackupTokenForm(_LimitedMixin, BackupTokenForm):
    pass


@functools.cache
def _limited(form_class: type) -> type:
    """The device method's token form (TOTP today), behind the limit."""
    return type(f"Limited{form_class.__name__}", (_LimitedMixin, form_class), {})


class LoginView(TwoFactorLoginView):
    form_list = (
        (TwoFactorLoginView.AUTH_STEP, TwoFactorLoginView.form_list[0][1]),
        (TwoFactorLoginView.TOKEN_STEP, LimitedTokenForm),
        (TwoFactorLoginView.BACKUP_STEP, LimitedBackupTokenForm),
    )

    def get_form(self, step: str | None = None, **kwargs: Any) -> Any:
        # As two-factor's get_form, which picks the token form per device method on every call;
        # here that form is wrapped in the limit.
        if (step or self.steps.current) == self.TOKEN_STEP:
            method = registry.method_from_device(self.get_device())
            self.form_list[self.TOKEN_STEP] = _limited(method.get_token_form_class())
        form = super(TwoFactorLoginView, self).get_form(step=step, **kwargs)
        if self.show_timeout_error:
            form.cleaned_data = getattr(form, "cleaned_data", {})
            form.add_error(None, forms.ValidationError(_("Uw sessie is verlopen. Log opnieuw in.")))
        form.request = self.request
        return form
