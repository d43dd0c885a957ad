"""An organisation's stylesheet and logo, served from Ketenzicht itself (CSP: 'self' only).

The stylesheet sets NL Design System tokens (`--basis-*`, which the Utrecht components and the
example theme read) on the page root; it is cached by the browser and changes its address when
the theme changes (`?v=`).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from ketenzicht.themes.models import Theme

ONE_DAY = 24 * 3600


def stylesheet(theme: Theme) -> str:
    c = theme.tokens["kleuren"]
    koppen = c.get("koppen", c["tekst"])
    lines = [
        f"--basis-color-default-color-document: {c['tekst']};",
        f"--basis-color-default-bg-document: {c['achtergrond']};",
        f"--basis-heading-color: {koppen};",
        *(f"--basis-color-action-2-color-{state}: {c['link']};" for state in ("default", "hover", "active", "document")),
        # Secondary buttons and form accents in the link colour (checked against the background).
        *(f"--basis-color-action-1-color-{state}: {c['link']};" for state in ("default", "hover", "active", "document")),
        *(f"--basis-color-action-1-border-{state}: {c['link']};" for state in ("default", "hover", "active")),
        *(f"--basis-color-action-1-inverse-bg-{state}: {c['primair']};" for state in ("default", "hover", "active")),
        *(f"--basis-color-action-1-inverse-color-{state}: {c['primair-tekst']};" for state in ("default", "hover", "active")),
        f"--utrecht-button-primary-action-background-color: {c['primair']};",
        f"--utrecht-button-primary-action-color: {c['primair-tekst']};",
        f"--utrecht-button-primary-action-hover-background-color: {c['primair']};",
        f"--utrecht-button-primary-action-hover-color: {c['primair-tekst']};",
        f"--kz-brand-background: {c['primair']};",
        f"--kz-brand-color: {c['primair-tekst']};",
    ]
    font = theme.tokens.get("lettertype")
    if font:
        lines += [f"--basis-text-font-family-default: {font};", f"--basis-heading-font-family: {font};"]
    body = "\n  ".join(lines)
    return f"/* {theme.organisation_slug}: thema uit data/themes (docs/themes.md) */\nhtml.kz-org-theme {{\n  {body}\n}}\n"


@require_GET
@cache_control(public=True, max_age=ONE_DAY)
def theme_css(request: HttpRequest, slug: str) -> HttpResponse:
    theme = get_object_or_404(Theme, organisation_slug=slug)
    return HttpResponse(stylesheet(theme), content_type="text/css; charset=utf-8")


@require_GET
@cache_control(public=True, max_age=ONE_DAY)
def theme_logo(request: HttpRequest, slug: str) -> HttpResponse:
    theme = get_object_or_404(Theme, organisation_slug=slug)
    if not theme.logo_svg:
        return HttpResponse(status=404)
    return HttpResponse(theme.logo_svg, content_type="image/svg+xml")
