"""WCAG contrast maths, checked against published figures."""

from __future__ import annotations

import pytest

from ketenzicht.domain.contrast import ContrastPair, contrast_failures, contrast_ratio, parse_hex


def test_known_ratios() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#fff", "#fff") == pytest.approx(1.0)
    # WebAIM's checker: #767676 on white is 4.54:1, the lightest grey that passes AA.
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_failures_name_the_pair_and_the_figures() -> None:
    colours = {"link": "#777777", "achtergrond": "#ffffff", "tekst": "#000000"}
    pairs = [ContrastPair("link", "achtergrond"), ContrastPair("tekst", "achtergrond"), ContrastPair("koppen", "achtergrond")]
    [failure] = contrast_failures(colours, pairs)
    assert failure.pair.foreground == "link"
    assert failure.describe(colours) == "'link' (#777777) op 'achtergrond' (#ffffff) heeft contrast 4.48:1, minimaal 4.5:1 (WCAG 2.1 AA)"


@pytest.mark.parametrize("bad", ["red", "#12345", "#ggg000", "", "123456"])
def test_only_hex_colours(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_hex(bad)
