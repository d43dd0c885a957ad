"""Barrier models as data: loading the shipped versions and copy-on-write versioning per region."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from ketenzicht.accounts.models import Region
from ketenzicht.barriers import services
from ketenzicht.barriers.models import Barrier, BarrierModel
from tests.support import Cast, login


@pytest.fixture
def shipped(db: None) -> None:
    services.load_shipped_models()


def _instruments(model: BarrierModel, step: str) -> list[str]:
    return list(Barrier.objects.filter(step__model=model, step__code=step).values_list("instrument", flat=True))


def test_shipped_models_load_once_with_the_seed_steps(shipped: None) -> None:
    call_command("load_barrier_models", verbosity=0)  # again: idempotent
    shipped_models = BarrierModel.objects.filter(region__isnull=True)
    assert sorted(shipped_models.values_list("form", flat=True)) == ["arbeid", "crimineel", "seksueel"]
    labour = shipped_models.get(form="arbeid")
    assert list(labour.steps.values_list("code", flat=True)) == ["werving", "toegang_identiteit", "huisvesting", "arbeid", "financien"]
    # The seeds' instruments are where the seeds put them (001 §6.3.2; 000 §5.5).
    assert "brp_rni_controle" in _instruments(labour, "toegang_identiteit")
    assert {"bibob", "huisvestingsregels"} <= set(_instruments(labour, "huisvesting"))
    assert "apv_sluiting" in _instruments(labour, "arbeid")
    bibob = Barrier.objects.get(step__model=labour, step__code="huisvesting", instrument="bibob")
    assert bibob.organisation_kind == "gemeente" and bibob.legal_basis == "Wet Bibob"


def test_the_model_in_force_is_the_newest_version_up_to_that_year(shipped: None) -> None:
    region = Region.objects.get(slug="den-haag")
    assert services.barrier_model_for(region, "arbeid", 2025) is None  # nothing before the first version
    assert services.barrier_model_for(region, "arbeid", 2028).year == 2026  # carried forward


def test_editing_makes_the_regions_own_copy_and_leaves_the_shipped_model_alone(shipped: None, cast: Cast) -> None:
    region = Region.objects.get(slug="den-haag")
    shipped_labour = BarrierModel.objects.get(form="arbeid", region__isnull=True)
    before = _instruments(shipped_labour, "werving")
    services.barrier_add(actor=cast.fleur, region=region, form="arbeid", year=2026, step_code="werving",
                         instrument="stopgesprek", organisation_kind="gemeente", legal_basis="Gemeentewet")
    own = BarrierModel.objects.get(form="arbeid", year=2026, region=region)
    assert own.based_on == shipped_labour
    assert _instruments(own, "werving") == [*before, "stopgesprek"]
    assert _instruments(shipped_labour, "werving") == before
    assert services.barrier_model_for(region, "arbeid", 2026) == own
    # A second edit in the same year changes the same copy.
    services.barrier_add(actor=cast.fleur, region=region, form="arbeid", year=2026, step_code="financien",
                         instrument="fiscale_aanpak", organisation_kind="belastingdienst")
    assert BarrierModel.objects.filter(form="arbeid", region=region).count() == 1
    # Another region still sees the shipped model.
    other = Region.objects.get(slug="zeeland-west-brabant")  # loaded with the cast
    assert services.barrier_model_for(other, "arbeid", 2026) == shipped_labour
    # Next year's edit starts from the region's own 2026 version, not from the shipped one.
    services.barrier_model_own_copy(actor=cast.fleur, region=region, form="arbeid", year=2027)
    assert "stopgesprek" in _instruments(BarrierModel.objects.get(form="arbeid", year=2027, region=region), "werving")


def test_removing_a_shipped_barrier_removes_it_from_the_copy_only(shipped: None, cast: Cast) -> None:
    region = Region.objects.get(slug="den-haag")
    shipped_labour = BarrierModel.objects.get(form="arbeid", region__isnull=True)
    keurmerk = Barrier.objects.get(step__model=shipped_labour, instrument="keurmerk_tussenpersonen")
    services.barrier_remove(actor=cast.fleur, region=region, form="arbeid", year=2026, barrier_id=keurmerk.pk)
    own = BarrierModel.objects.get(form="arbeid", year=2026, region=region)
    assert "keurmerk_tussenpersonen" not in _instruments(own, "werving")
    assert Barrier.objects.filter(pk=keurmerk.pk).exists()


def test_only_the_regions_ketenregisseur_edits(shipped: None, cast: Cast) -> None:
    region = Region.objects.get(slug="den-haag")
    with pytest.raises(PermissionDenied):
        services.barrier_add(actor=cast.anouk, region=region, form="arbeid", year=2026, step_code="werving",
                             instrument="stopgesprek", organisation_kind="gemeente")
    other = Region.objects.create(slug="rotterdam", name="Rotterdam")
    with pytest.raises(PermissionDenied):
        services.barrier_model_own_copy(actor=cast.fleur, region=other, form="arbeid", year=2026)


def test_edit_page_shows_the_copy_and_explains_unknown_steps(shipped: None, cast: Cast, client) -> None:  # noqa: ANN001
    login(client, cast.fleur)
    url = "/verstoren/barrieremodellen/arbeid/2026/"
    assert "Landelijke basis" in client.get(url).content.decode()
    response = client.post(url + "bewerken/", {"step_code": "werving", "instrument": "stopgesprek", "organisation_kind": ""})
    assert response.status_code == 400 and "Verantwoordelijke organisatie" in response.content.decode()
    response = client.post(url + "bewerken/", {"step_code": "werving", "instrument": "stopgesprek", "organisation_kind": "gemeente"}, follow=True)
    assert "Eigen versie van Eenheid Den Haag" in response.content.decode()


def test_a_broken_model_file_is_refused_with_its_name(db: None, tmp_path: Path) -> None:
    (tmp_path / "arbeidsuitbuiting-2030.yaml").write_text(
        "vorm: arbeid\njaar: 2030\nnaam: X\nstappen:\n  - code: werving\n    naam: Werving\n"
        "    barrieres:\n      - {instrument: toveren, organisatie: gemeente}\n", encoding="utf-8")
    with pytest.raises(services.BarrierError, match="arbeidsuitbuiting-2030.yaml: onbekend instrument"):
        services.load_shipped_models(tmp_path)
