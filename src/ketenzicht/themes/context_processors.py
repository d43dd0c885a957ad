"""The theme of the page: the chosen municipality on the public form, else the user's organisation.

Public pages tell which municipality they are for by setting `request.theme_municipality`
(`/melden/<cbs-code>/`, or the municipality typed in a form that came back); everything else
wears the logged-in person's organisation; without a theme, the NL Design System example theme.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from ketenzicht.themes.selectors import (
    public_theme_map,
    theme_for_municipality,
    theme_for_organisation,
)


def theme(request: HttpRequest) -> dict[str, Any]:
    if request.path.startswith("/melden/"):
        municipality = getattr(request, "theme_municipality", None)
        # Read only by the form page that uses it (not by the confirmation or the status pages).
        return {"theme": theme_for_municipality(municipality), "public_themes": SimpleLazyObject(public_theme_map)}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and not request.path.startswith("/melden/"):
        return {"theme": theme_for_organisation(user.organisation)}
    return {"theme": None}
