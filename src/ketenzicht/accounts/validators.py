"""Django's minimum-length password rule, with its message in Dutch.

Django 5.2 reworded this message and its Dutch catalogue has not caught up, so a colleague who
chose a short password was told so in English.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import MinimumLengthValidator
from django.utils.translation import ngettext


class DutchMinimumLengthValidator(MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "Dit wachtwoord is te kort: gebruik minstens %(min)d teken.",
            "Dit wachtwoord is te kort: gebruik minstens %(min)d tekens.",
            self.min_length,
        ) % {"min": self.min_length}
