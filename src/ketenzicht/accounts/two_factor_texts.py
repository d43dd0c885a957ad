"""Dutch words for the two-factor forms of django-two-factor-auth and django-otp.

Their own catalogues speak of a "token", and django-otp has no Dutch at all, so a wrong code was
answered in English. The forms are looked up by the login and setup wizards when a step runs, so
setting the labels and messages on the classes once, at start-up, is enough.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

WRONG_CODE = _("Deze code klopt niet. Typ de zes cijfers die uw app nu laat zien; een code is 30 seconden geldig.")


def apply() -> None:
    from two_factor import forms as tf

    tf.AuthenticationTokenForm.otp_error_messages = {
        **tf.AuthenticationTokenForm.otp_error_messages,
        "token_required": _("Vul de code uit uw app in."),
        "invalid_token": _("Deze code klopt niet. Typ de zes cijfers die uw app nu laat zien, of een reservecode die u nog niet gebruikte."),
        "n_failed_attempts": ngettext_lazy(
            "De code is %(failure_count)d keer verkeerd ingevoerd. Wacht even en probeer het dan opnieuw.",
            "De code is %(failure_count)d keer verkeerd ingevoerd. Wacht even en probeer het dan opnieuw.",
            "failure_count",
        ),
        "verification_not_allowed": _("Inloggen met een code is tijdelijk geblokkeerd. Probeer het later opnieuw."),
        "device_required": _("Kies hoe u uw code krijgt."),
    }
    tf.AuthenticationTokenForm.base_fields["otp_token"].label = _("Code uit uw app")
    tf.BackupTokenForm.base_fields["otp_token"].label = _("Reservecode")
    tf.TOTPDeviceForm.error_messages = {"invalid_token": WRONG_CODE}
    token = tf.TOTPDeviceForm.base_fields["token"]
    token.label = _("Code uit uw app")
    token.error_messages = {**token.error_messages, "invalid": WRONG_CODE, "min_value": WRONG_CODE, "max_value": WRONG_CODE}
