"""Weights and volumes as planners type them."""

from __future__ import annotations

import pytest

from network.errors import InputError
from network.quantities import parse_volume_m3, parse_weight_kg


@pytest.mark.parametrize(("text", "kg"), [
    ("800kg", 800), ("800 kg", 800), ("800", 800), ("1.2t", 1200), ("1,2 t", 1200),
    ("0.5T", 500), ("12.5KG", 12.5),
])
def test_weights(text, kg):
    """Accepted weight spellings give kilograms."""
    assert parse_weight_kg(text) == pytest.approx(kg)


@pytest.mark.parametrize(("text", "m3"), [
    ("3.5m3", 3.5), ("3.5 m³", 3.5), ("3.5", 3.5), ("350l", 0.35), ("350 L", 0.35),
    ("2 cbm", 2),
])
def test_volumes(text, m3):
    """Accepted volume spellings give cubic metres."""
    assert parse_volume_m3(text) == pytest.approx(m3)


@pytest.mark.parametrize("text", ["", "kg", "12lb", "-5kg", "0", "1.2.3t", "3m2", "ten kg"])
def test_bad_weights_are_refused_with_an_example(text):
    """Anything else is an input error that shows a valid example."""
    with pytest.raises(InputError, match="weight"):
        parse_weight_kg(text)


@pytest.mark.parametrize("text", ["-5kg", "-5", "- 1.2 t", "-0.5"])
def test_a_negative_weight_says_so(text):
    """A weight read but below zero is named as such, not as unreadable."""
    with pytest.raises(InputError, match=r"must be greater than zero"):
        parse_weight_kg(text)
    with pytest.raises(InputError, match=r"must be greater than zero"):
        parse_volume_m3(text.replace("kg", "m3").replace("t", "l"))


def test_volume_in_weight_units_is_refused():
    """A weight given as a volume names the expected units."""
    with pytest.raises(InputError, match="m3 or l"):
        parse_volume_m3("800kg")
