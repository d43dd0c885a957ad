"""Each organisation's own look: themes from data, refused when unreadable, worn by the public form
(per municipality) and by staff pages (per organisation), CSP kept strict (issue 13 item 5)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from ketenzicht.themes.loader import THEMES_DIR, ThemeError, load_themes
from ketenzicht.themes.models import Theme
from tests.app.accounts_support import other_region
from tests.support import Cast, login

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "themes"


def test_the_shipped_themes_are_in_every_migrated_database() -> None:
    assert set(Theme.objects.values_list("organisation_slug", flat=True)) >= {"gemeente-zoeterwoude", "gemeente-lisse", "gemeente-vlissingen", "gemeente-breda"}


def test_an_unreadable_theme_is_refused_naming_the_failing_pairs_and_nothing_loads(tmp_path: Path) -> None:
    Theme.objects.all().delete()
    good = tmp_path / "zoeterwoude.yaml"
    shutil.copy(THEMES_DIR / "zoeterwoude.yaml", good)
    (tmp_path / "logos").mkdir()
    shutil.copy(THEMES_DIR / "logos" / "zoeterwoude.svg", tmp_path / "logos")
    bad = tmp_path / "onleesbaar.yaml"
    shutil.copy(FIXTURES / "onleesbaar.yaml", bad)
    with pytest.raises(CommandError) as refused:
        call_command("load_themes", str(good), str(bad))
    message = str(refused.value)
    assert message.startswith("onleesbaar.yaml: onleesbare kleuren")
    assert "'link' (#9a9a9a) op 'achtergrond' (#ffffff) heeft contrast 2.81:1, minimaal 4.5:1" in message
    assert "'primair-tekst' (#ffe600) op 'primair' (#ffffff)" in message
    assert not Theme.objects.exists()  # the good file was not loaded either


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("organisatie: g-x\nnaam: X\nkleuren: {tekst: '#000', achtergrond: '#fff', link: '#00f', primair: '#000', primair-tekst: '#fff', rand: '#000'}\n", "onbekende kleur 'kleuren.rand'"),
        ("organisatie: g-x\nnaam: X\nkleuren: {tekst: zwart, achtergrond: '#fff', link: '#00f', primair: '#000', primair-tekst: '#fff'}\n", "'kleuren.tekst' is geen kleur als #rrggbb"),
        ("organisatie: g-x\nnaam: X\nkleuren: {tekst: '#000', achtergrond: '#fff', primair: '#000', primair-tekst: '#fff'}\n", "kleur 'kleuren.link' ontbreekt"),
        ("organisatie: g-x\nnaam: X\nlettertype: 'x; } body { display: none'\nkleuren: {tekst: '#000', achtergrond: '#fff', link: '#00f', primair: '#000', primair-tekst: '#fff'}\n", "'lettertype'"),
        ("organisatie: g-x\nnaam: X\nlogo: ../../x.svg\nkleuren: {tekst: '#000', achtergrond: '#fff', link: '#00f', primair: '#000', primair-tekst: '#fff'}\n", "'logo'"),
        ("organisatie: G X\nnaam: X\n", "'organisatie'"),
        ("kleur: 1\n", "onbekende sleutel 'kleur'"),
    ],
)
def test_bad_theme_files_say_which_key(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "fout.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ThemeError, match="^fout.yaml: ") as refused:
        load_themes([path])
    assert expected in str(refused.value)


def test_the_public_form_wears_the_municipalitys_look(cast: Cast) -> None:
    own = Client().get("/melden/GM0638/")
    page = own.content.decode()
    theme = Theme.objects.get(organisation_slug="gemeente-zoeterwoude")
    assert own.status_code == 200 and 'class="voorbeeld-theme kz-org-theme' in page
    assert theme.css_url in page and "Gemeente Zoeterwoude" in page and 'value="Zoeterwoude"' in page
    generic = Client().get("/melden/").content.decode()
    assert "kz-org-theme " not in generic and "/thema/gemeente-zoeterwoude.css" not in generic.split("<template")[0]
    # Chosen in the form (it came back with a question): the look follows the choice.
    back = Client().post("/melden/", {"municipality": "lisse", "description": ""}).content.decode()
    assert "/thema/gemeente-lisse.css" in back.split("<template")[0]
    assert Client().get("/melden/GM9999/").status_code == 404


def test_staff_pages_wear_the_users_organisation_and_fall_back_to_the_example(cast: Cast) -> None:
    zwb = other_region()
    assert "/thema/gemeente-zoeterwoude.css" in login(Client(), cast.anouk).get("/werkvoorraad/").content.decode()
    assert "/thema/gemeente-lisse.css" in login(Client(), cast.bram).get("/werkvoorraad/").content.decode()
    vlissingen = login(Client(), zwb.vera).get("/werkvoorraad/").content.decode()
    assert "/thema/gemeente-vlissingen.css" in vlissingen and "gemeente-zoeterwoude" not in vlissingen
    police = login(Client(), cast.esra).get("/overleggen/").content.decode()
    assert "kz-org-theme" not in police and "/thema/" not in police  # no theme: the example theme


def test_the_stylesheet_sets_tokens_and_csp_stays_strict(cast: Cast) -> None:
    response = Client().get("/thema/gemeente-zoeterwoude.css")
    css = response.content.decode()
    assert response["Content-Type"].startswith("text/css")
    assert "--basis-color-action-2-color-default: #00663d;" in css and "--kz-brand-background: #00663d;" in css
    assert Client().get("/thema/gemeente-zoeterwoude/logo.svg")["Content-Type"] == "image/svg+xml"
    csp = Client().get("/melden/GM0638/")["Content-Security-Policy"]
    assert "style-src 'self'" in csp and "unsafe-inline" not in csp
