"""The catalogs follow docs/glossary.md: one English string has one translation in
every part of the service, and the words staff misread stay gone."""

from __future__ import annotations

from collections import defaultdict

import pytest

from kuulolla.core import catalogs, i18n

# Words that meant two things to staff (docs/glossary.md, last column), by language.
MISREAD = {
    "fi": ("tilitapahtum", "(vapaaehtoinen)", "mykist", "pidätet", "esimoderoin"),
    "sv": ("(frivilligt)", "(frivillig)", "professionell"),
}


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_one_string_one_translation(locale: str) -> None:
    """A string found in several domains' catalogs is translated the same in each (the
    catalogs are merged into one, so a second translation would silently win)."""
    found: defaultdict[str, set[str]] = defaultdict(set)
    for domain in catalogs.domains():
        for message in catalogs.load(locale, domain):
            if message.id and message.string:
                key = message.id if isinstance(message.id, str) else message.id[0]
                found[key].add(str(message.string))
    assert {k: v for k, v in found.items() if len(v) > 1} == {}


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_misread_words_are_gone(locale: str) -> None:
    """No translation uses a word the glossary replaced."""
    bad = []
    for domain in catalogs.domains():
        for message in catalogs.load(locale, domain):
            text = str(message.string or "").casefold()
            bad += [(domain, text) for word in MISREAD[locale] if word in text]
    assert bad == []


def test_statistics_and_visitors_reports_are_different_words() -> None:
    """ "Ilmoitukset" are visitors' reports; the figures are "Tilastot"; a mute reads the
    same on the button and in the log; optional is "valinnainen"."""
    assert i18n.gettext("fi", "Reports") == "Ilmoitukset"
    assert i18n.gettext("fi", "Statistics") == "Tilastot"
    assert i18n.gettext("sv", "Statistics") == "Statistik"
    assert i18n.gettext("fi", "Mute the writer").startswith("Hiljennä")
    assert i18n.gettext("fi", "Muted a visitor").startswith("Hiljensi")
    assert i18n.gettext("fi", "Account events") == "Käyttäjätilien tapahtumat"
    assert i18n.gettext("fi", "Tags (optional)") == "Tunnisteet (valinnainen)"
