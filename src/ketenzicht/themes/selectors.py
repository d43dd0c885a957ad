"""Which theme a page wears: the municipality of the public form, else the user's organisation."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from ketenzicht.accounts.models import Municipality, Organisation, OrganisationKind
from ketenzicht.themes.models import Theme


def theme_for_organisation(organisation: Organisation | None) -> Theme | None:
    if organisation is None:
        return None
    return Theme.objects.filter(organisation_slug=organisation.slug).first()


def theme_for_municipality(municipality: Municipality | Any) -> Theme | None:
    """The theme of the municipality's own organisation (the gemeente), if it has one."""
    if municipality is None:
        return None
    if hasattr(municipality, "known_theme"):
        return municipality.known_theme  # read with it (intake.fast_public.municipality_by_name)
    # One query (the organisations as a subquery): every public page asks, the confirmation too.
    slugs = Organisation.objects.filter(kind=OrganisationKind.GEMEENTE, municipality=municipality).values("slug")
    return Theme.objects.filter(organisation_slug__in=slugs).order_by("pk").first()


def theme_municipality(request: HttpRequest, cbs_code: str | None = None, municipalities: Any = None) -> Municipality | None:
    """The municipality a public page is for: from its address, or as typed in the form that came back.

    Left on `request.theme_municipality` for the theme context processor. `municipalities`: the
    queryset to read it from (the public form's view annotates what its report needs).
    """
    rows = municipalities if municipalities is not None else Municipality.objects.select_related("region")
    if cbs_code is not None:
        municipality = rows.filter(cbs_code__iexact=cbs_code).first()
        if municipality is None:
            raise Http404("unknown municipality code")
    else:
        typed = (request.POST.get("municipality") or "").strip() if request.method == "POST" else ""
        # With its region: the public form takes this row for the report (one read per intake).
        municipality = rows.filter(name__iexact=typed).first() if typed else None
    request.theme_municipality = municipality  # type: ignore[attr-defined]
    return municipality


def public_theme_map() -> list[dict[str, str]]:
    """Municipalities with a theme, for the public form's script to switch looks on choosing one."""
    themes = {t.organisation_slug: t for t in Theme.objects.all()}
    rows = []
    for org in Organisation.objects.filter(kind=OrganisationKind.GEMEENTE, slug__in=list(themes)).select_related("municipality"):
        theme = themes[org.slug]
        rows.append({"gemeente": org.municipality.name, "css": theme.css_url, "logo": theme.logo_url, "naam": theme.name})
    return sorted(rows, key=lambda r: r["gemeente"])
