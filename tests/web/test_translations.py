"""Every string in the interface is translated into Finnish, Swedish and English."""

from __future__ import annotations

from kuulolla.core import catalogs, i18n


def test_no_missing_translations() -> None:
    """Each msgid in the code and templates has a fi, sv and en translation (run scripts/i18n)."""
    assert catalogs.missing() == {}


def test_placeholders_survive_translation() -> None:
    """Translations keep the {placeholders} of their source strings."""
    import re

    bad = []
    for domain in catalogs.domains():
        for locale in catalogs.LOCALES:
            for message in catalogs.load(locale, domain):
                if not message.id or not message.string:
                    continue
                source = message.id if isinstance(message.id, str) else message.id[0]
                target = message.string if isinstance(message.string, str) else message.string[0]
                if set(re.findall(r"\{\w+\}", source)) != set(re.findall(r"\{\w+\}", target)):
                    bad.append((locale, source))
    assert bad == []


def test_finnish_is_the_default() -> None:
    """Without any preference the interface is Finnish."""
    assert i18n.negotiate([None, ""]) == "fi"
    assert i18n.gettext("fi", "Send") == "Lähetä"
    assert i18n.gettext("sv", "Send") == "Skicka"


def test_accept_language_order() -> None:
    """Accept-Language ranges are taken by quality."""
    assert i18n.parse_accept_language("en;q=0.5, sv-FI, fi;q=0.8") == ["sv-FI", "fi", "en"]
    assert i18n.negotiate(i18n.parse_accept_language("de, sv;q=0.1")) == "sv"
