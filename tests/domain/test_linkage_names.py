"""Name rules: particles, abbreviations, comma forms, diacritics."""

import pytest

from ketenzicht.domain.linkage.names import fold, normalise_given_name, split_surname


@pytest.mark.parametrize(
    "raw",
    ["van der Berg", "Van Der Berg", "Berg, van der", "vd Berg", "v.d. Berg", "V/D Berg",
     "Berg v.d.", "van der  BERG "],
)  # fmt: skip
def test_particle_variants_share_core_and_particles(raw: str) -> None:
    s = split_surname(raw)
    assert s.core == "berg"
    assert s.particles == "van der"


def test_t_and_den_and_ter() -> None:
    assert split_surname("van 't Hof") == split_surname("Hof, van ’t")
    assert split_surname("van 't Hof").core == "hof"
    assert split_surname("v.den Bosch").particles == "van den"
    assert split_surname("ter Horst").core == "horst"


def test_lone_particle_is_kept_as_core() -> None:
    assert split_surname("De").core == "de"


def test_diacritics_polish_romanian_dutch() -> None:
    assert fold("Wiśniewski") == "wisniewski"
    assert fold("Łukasz Kozłowski") == "lukasz kozlowski"
    assert fold("Ștefănescu") == fold("Stefanescu")
    assert fold("Zoë") == "zoe"


def test_apostrophes_and_hyphens() -> None:
    assert split_surname("O'Brien").core == "obrien"
    assert split_surname("Jansen-de Vries").core == split_surname("Jansen de Vries").core


def test_particle_in_given_name_field_dropped() -> None:
    assert normalise_given_name("Jan van") == "jan"
    assert normalise_given_name(None) == ""
