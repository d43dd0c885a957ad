"""Issue 15 item 2: the data steward encodes in the browser (Web Crypto) byte for byte what
`ketenzicht encode` writes, and only the encoded file leaves the page."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, Request, expect

from ketenzicht.domain.linkage import EncodingKey
from ketenzicht.domain.linkage.delivery import encode_file
from ketenzicht.monitor.models import ImportStatus, Registration
from ketenzicht.monitor.sources import ensure_default_sources
from ketenzicht.persons.models import Encoding
from tests.browser.conftest import check_a11y, login_browser
from tests.support import Cast, make_user

pytestmark = pytest.mark.browser

KEY_BYTES = b"  de-gedeelde-sleutel-van-de-partners-2026\r\n"
# Everything a partner may write: particles in every form, diacritics, a swap, dates with dots,
# slashes and day first, quotes and separators inside cells, a BOM, CRLF, a blank line, NBSP.
NAMED = (
    "\ufeffregistratie_id;datum;gemeente_code;eenheid;voornaam;achternaam;geboortedatum;geslacht;nationaliteit;vorm\r\n"
    "P-1;2025-03-04;GM0638;melding;Marieke;\"van der Heijden\";01-06-1985;V;nld;arbeid\r\n"
    "P-2;2025-04-11;GM0553;slachtoffer;Wojciech;Zieliński;3.2.1979;man;POL;seksueel\r\n"
    "\r\n"
    "P-3;2025-05-20;GM0546;melding;Kowalska;Anna;2001/12/24;F;pol;\r\n"
    "P-4;2025-06-01; GM0534 ;melding;Ștefan;Heijden, van der;1966-04-05;x;ROU;crimineel\r\n"
    "P-5;2025-06-02;GM0575;melding;Jan van;v.d. Berg;;;;\r\n"
    "P-6;2025-06-03;GM0503;melding;Łukasz;O'Brien-de Vries;1990-2-3;onbekend;;\r\n"
    "P-7;2025-06-04;GM0518;melding;;'t Hof;;V;;\r\n"
).encode("utf-8")
# Columns the encoder passes through untouched, whatever they hold (quotes, separators, NBSP).
WIDE = (
    "registratie_id;datum;eenheid;voornaam;opmerking;achternaam\n"
    "P-1;2025-03-04;melding;Jan;\"toelichting; met \"\"puntkomma\"\"\";Berg\n"
    "P-2;2025-03-04;melding;Zoë\u00a0;\"twee\nregels\";\r\n"
    'P-3;2025-03-04;melding;Jan;5" lang;"a"b\r'
    "P-4;2025-03-04;melding;Piet;;Vries\n"
).encode("utf-8")
NAMES = ["Marieke", "Heijden", "Wojciech", "Zieli", "Kowalska", "Anna", "tefan", "Berg", "ukasz", "Brien", "1985", "1979", "2001", "1966", "1990"]


class BodyRecorder:
    """Every request body the live server receives, read before Django sees it.

    A browser does not report the body of a multipart upload with a file to the test (Chromium
    keeps it out of its network events), so the proof is taken where the request arrives: all
    requests leaving the page go to this server (checked separately), and here is what came.
    """

    def __init__(self, live_server: object) -> None:
        import io

        self.bodies: list[tuple[str, bytes]] = []
        httpd = live_server.thread.httpd  # type: ignore[attr-defined]
        inner = httpd.get_app()

        def app(environ: dict, start_response: object) -> object:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            self.bodies.append((environ.get("PATH_INFO", "") + "?" + environ.get("QUERY_STRING", ""), body))
            environ["wsgi.input"] = io.BytesIO(body)
            return inner(environ, start_response)

        httpd.set_app(app)


def _file_payload(name: str, data: bytes, mime: str = "text/csv") -> dict[str, object]:
    return {"name": name, "mimeType": mime, "buffer": data}


def _encode_in_browser(page: Page, name: str, data: bytes, key: bytes) -> str:
    return page.evaluate(
        """async ([name, data, key]) => {
            const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
            try {
              const result = await window.KetenzichtEncode.encodeFile(name, bytes(data), bytes(key));
              let binary = ""; for (const b of result.bytes) binary += String.fromCharCode(b);
              return "ok:" + btoa(binary);
            } catch (e) { return "error:" + e.message; }
        }""",
        [name, base64.b64encode(data).decode(), base64.b64encode(key).decode()],
    )


def test_browser_encodes_byte_for_byte_like_the_command_and_no_name_leaves_the_page(page: Page, live_server: object, cast: Cast, tmp_path: Path) -> None:
    ensure_default_sources()
    make_user("wilma", "politie-den-haag-avim", "gegevensleverancier")
    base = live_server.url  # type: ignore[attr-defined]
    sent: list[Request] = []
    page.on("request", lambda r: sent.append(r))
    received = BodyRecorder(live_server)
    login_browser(page, base, "wilma")
    page.get_by_role("link", name="Registraties aanleveren").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Registraties coderen en aanleveren")
    check_a11y(page, "aanleverpagina")

    # The command line, on the same input with the same key file.
    names_file, key_file, out = tmp_path / "politie.csv", tmp_path / "sleutel.key", tmp_path / "politie.enc.csv"
    names_file.write_bytes(NAMED)
    key_file.write_bytes(KEY_BYTES)
    call_command("encode", str(names_file), "--key", str(key_file), "--out", str(out))
    expected = out.read_bytes()

    page.locator("#kz-names").set_input_files(_file_payload("politie.csv", NAMED))
    page.locator("#kz-key").set_input_files(_file_payload("sleutel.key", KEY_BYTES, "application/octet-stream"))
    page.get_by_role("button", name="Coderen").click()
    expect(page.get_by_role("status").filter(has_text="Klaar")).to_contain_text("7 registraties gecodeerd")
    handed_over = page.evaluate(
        """async () => {
            const f = document.querySelector('#kz-deliver-form input[type=file]').files[0];
            const b = new Uint8Array(await f.arrayBuffer()); let s = ""; for (const x of b) s += String.fromCharCode(x);
            return [f.name, btoa(s)];
        }"""
    )
    assert handed_over[0] == "politie.gecodeerd.csv"
    assert base64.b64decode(handed_over[1]) == expected  # byte for byte
    check_a11y(page, "aanleverpagina na coderen")

    page.get_by_label("Bron").select_option(label="Politie (AVIM)")
    page.get_by_role("button", name="Aanleveren").click()
    expect(page.get_by_role("status").first).to_contain_text("Levering geaccepteerd: 7 registraties")
    regs = Registration.objects.filter(source_import__status=ImportStatus.GEACCEPTEERD)
    assert regs.count() == 7 and Encoding.objects.filter(registration__in=regs).count() == 7

    # Every request left for this server only, and none carried a name, a birth year or the key.
    assert sent and all(r.url.startswith(base) for r in sent), [r.url for r in sent if not r.url.startswith(base)]
    uploads = [body for _, body in received.bodies if b"politie.gecodeerd.csv" in body]
    assert len(uploads) == 1 and b"fbf-rh-bal-v3" in uploads[0], "the encoded upload itself was received"
    assert b"politie.csv\"" not in uploads[0], "the file with names was not sent"
    for where, body in received.bodies + [(r.url, r.post_data_buffer or b"") for r in sent]:
        text = body.decode("utf-8", "replace") + unquote_plus(where)
        for name in NAMES:
            assert name not in text, f"{name!r} left the page in a request to {where}"
        assert "de-gedeelde-sleutel" not in text, "the key left the page"


@pytest.mark.parametrize(
    "data",
    [
        NAMED,
        WIDE,
        b"bron,registratie_id,voornaam,achternaam,geboortedatum,geslacht,nationaliteit,gemeente_code\npolitie,1,Jan,Berg,1990-03-04,M,NLD,GM0363\nzorg,7,Berg,Jan,04-03-1990,,,0363\n",
        "registratie_id,datum,gemeente_code,eenheid,voornaam,achternaam\nR-1,2025-01-01,GM0638,melding,\"Żółć, van 't\",\"Ver Der\"\nR-2,2025-01-01,GM0638,melding,\u0130lk\u00e9r,Ærø\n".encode(),
    ],
    ids=["monitor", "doorgeven", "koppelbestand", "randgevallen"],
)
def test_browser_and_command_agree_on_every_format(page: Page, live_server: object, cast: Cast, data: bytes) -> None:
    make_user("wilma", "politie-den-haag-avim", "gegevensleverancier")
    login_browser(page, live_server.url, "wilma")  # type: ignore[attr-defined]
    page.goto(f"{live_server.url}/monitor/aanleveren/")  # type: ignore[attr-defined]
    got = _encode_in_browser(page, "levering.csv", data, KEY_BYTES)
    assert got.startswith("ok:"), got
    assert base64.b64decode(got[3:]) == encode_file("levering.csv", data, EncodingKey.from_bytes(KEY_BYTES))


def test_browser_refuses_bad_files_like_the_command(page: Page, live_server: object, cast: Cast) -> None:
    make_user("wilma", "politie-den-haag-avim", "gegevensleverancier")
    login_browser(page, live_server.url, "wilma")  # type: ignore[attr-defined]
    page.goto(f"{live_server.url}/monitor/aanleveren/")  # type: ignore[attr-defined]
    bad_date = b"registratie_id,datum,eenheid,voornaam,geboortedatum\nR-1,2025-01-01,melding,Jan,1990-02-30\n"
    assert re.match(r"error:levering\.csv, rij 2, kolom 'geboortedatum': datum .* bestaat niet", _encode_in_browser(page, "levering.csv", bad_date, KEY_BYTES))
    assert "sleutel te kort" in _encode_in_browser(page, "levering.csv", bad_date, b"kort\n")
    no_identity = b"registratie_id,datum,eenheid,gemeente_code\nR-1,2025-01-01,melding,GM0638\n"
    assert "geen identiteitskolommen" in _encode_in_browser(page, "levering.csv", no_identity, KEY_BYTES)


def test_ketenregisseur_reads_persons_and_the_estimate(page: Page, live_server: object, cast: Cast) -> None:
    """The persons page (UpSet chart, estimate, assumptions) and the imports page's linkage panel, axe-clean."""
    from ketenzicht.monitor import services
    from ketenzicht.monitor.models import Source
    from tests.app.persons_support import partner_files

    ensure_default_sources()
    files, _, _ = partner_files(250, {"politie": 0.5, "nla": 0.45, "comensha": 0.4}, seed=31)
    for slug, data in files.items():
        services.import_file(actor=cast.fleur, source=Source.objects.get(slug=slug), file_name=f"{slug}.csv", data=data)
    from ketenzicht.accounts.models import Region
    from ketenzicht.persons import linkage

    linkage.ensure_current(Region.objects.get(slug="den-haag"))
    from datetime import date

    from tests.app.monitor_support import release_through

    release_through(date(2025, 12, 1))  # the persons page publishes the release, like the monitor
    base = live_server.url  # type: ignore[attr-defined]
    login_browser(page, base, "fleur")
    page.get_by_role("link", name="Personen en schatting").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Personen en geschatte omvang")
    expect(page.locator(".kz-monitor-total")).to_contain_text("Naar schatting")
    expect(page.get_by_role("img", name="Overlap tussen bronnen")).to_be_visible()
    expect(page.get_by_text("Gesloten populatie binnen het jaar")).to_be_visible()
    check_a11y(page, "personen en schatting")
    page.goto(f"{base}/monitor/imports/")
    expect(page.get_by_role("heading", name="Koppeling tot personen")).to_be_visible()
    expect(page.get_by_text("Laatste koppeling klaar op")).to_be_visible()
    check_a11y(page, "imports met koppeling")
