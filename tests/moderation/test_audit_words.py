"""The moderation log in words: every recorded action has a translated label, and the
values recorded for settings read in the reader's language, never as codes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from kuulolla.core import i18n
from kuulolla.moderation import audit
from kuulolla.moderation.actions import LINK_MODES
from kuulolla.moderation.service import _describe

MODERATION = Path(__file__).resolve().parents[2] / "kuulolla" / "moderation"
SETTINGS = ("slow_mode", "premoderated", "locked", "pinned", "link_mode", "allowed_links")


def recorded_actions() -> set[str]:
    """The actions the moderation code records (string constants and f-strings of the
    ``action`` argument of ``audit(…)``; settings expand to each setting)."""
    found: set[str] = set()
    for path in MODERATION.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "audit"):
                continue
            for keyword in node.keywords:
                if keyword.arg != "action":
                    continue
                value = keyword.value
                if isinstance(value, ast.IfExp):
                    found |= {value.body.value, value.orelse.value}  # type: ignore[attr-defined]
                elif isinstance(value, ast.Constant):
                    found.add(value.value)
                elif isinstance(value, ast.JoinedStr):
                    prefix = value.values[0].value  # type: ignore[attr-defined]
                    found |= {
                        "settings.": {f"settings.{s}" for s in SETTINGS},
                        "words.": {"words.mask", "words.hold", "words.refuse"},
                        "report.": {"report.action", "report.dismissed"},
                    }[prefix]
    return found


def test_every_recorded_action_has_a_label_in_every_language() -> None:
    """Each action the code records is labelled, and the label is translated."""
    actions = recorded_actions()
    assert {"redact", "lift", "approve", "reject", "words.remove"} <= actions
    assert actions - set(audit.ACTION_LABELS) == set()
    for action in actions:
        for locale in ("fi", "sv"):
            label = audit.ACTION_LABELS[action]
            assert i18n.gettext(locale, label) != label, (locale, action)


def test_an_unknown_action_reads_as_other_not_as_its_code() -> None:
    """An action a newer version recorded is "other moderation action"."""
    assert i18n.gettext("fi", audit.action_label("shadow_ban")) == "Muu moderointitoimi"


@pytest.mark.parametrize(
    ("action", "value", "fi", "sv"),
    [
        ("settings.locked", True, "käytössä", "på"),
        ("settings.premoderated", False, "ei käytössä", "av"),
        ("settings.slow_mode", 30, "30 sekuntia", "30 sekunder"),
        ("settings.slow_mode", 0, "ei käytössä", "av"),
        ("settings.link_mode", "allow", "linkit näytetään", "länkar visas"),
        (
            "settings.link_mode",
            "hold",
            "linkit odottavat moderaattorin tarkistusta",
            "länkar väntar på granskning",
        ),
        ("settings.link_mode", "block", "linkit torjutaan", "länkar nekas"),
        ("settings.pinned", "x" * 140, "140 merkkiä", "140 tecken"),
        ("settings.allowed_links", "mieli.fi\nnuortenlinkki.fi", "25 merkkiä", "25 tecken"),
        ("settings.allowed_links", "mieli.fi", "mieli.fi", "mieli.fi"),
    ],
)
def test_settings_values_in_words(action: str, value: object, fi: str, sv: str) -> None:
    """What a settings change recorded reads in the reader's language."""
    target = _describe(value)
    assert audit.target_text(action, target, "fi") == fi
    assert audit.target_text(action, target, "sv") == sv


@pytest.mark.parametrize(
    ("action", "target", "fi"),
    [
        ("redact", "message 7", "viesti 7"),
        ("approve", "held 3", "tarkistusta odottanut viesti 3"),
        ("report.action", "message 12", "viesti 12"),
        ("mute", "Vieras-7f3a", "Vieras-7f3a"),
        ("words.mask", "message 7", "message 7"),  # a phrase of the word list, as written
    ],
)
def test_targets_of_actions(action: str, target: str, fi: str) -> None:
    """Message numbers in words; pseudonyms and listed words as recorded."""
    assert audit.target_text(action, target, "fi") == fi


def test_link_modes_are_all_worded() -> None:
    """Each link mode the settings allow has words in the log."""
    assert set(LINK_MODES) <= set(audit.TARGET_WORDS)


@pytest.mark.parametrize(
    ("locale", "action", "seconds", "reason", "expected"),
    [
        ("fi", "mute", 3600, "", "1 tunti"),
        ("sv", "remove", 5400, "", "1 timme och 30 minuter"),
        ("en", "ban", 86400, "", "1 day"),
        ("fi", "ban", None, "604800s: uhkailu", "7 päivää"),  # recorded before the column
        ("fi", "redact", None, "", ""),
    ],
)
def test_restriction_length_reads_in_words(
    locale: str, action: str, seconds: int | None, reason: str, expected: str
) -> None:
    """A restriction's length is shown in the reader's words, never as "86400s"."""
    assert audit.duration_words(action, seconds, reason, locale) == expected


@pytest.mark.parametrize(
    ("locale", "action", "preset", "reason", "expected"),
    [
        ("fi", "mute", "disruption", "toistaa samaa", "Keskustelun häiriköinti: toistaa samaa"),
        ("sv", "redact", "personal_data", "", "Personuppgifter"),
        ("en", "ban", "", "threats", "threats"),
        ("fi", "mute", "", "600s: kiroilu", "kiroilu"),  # recorded before the column
        ("fi", "mute", "", "600s", ""),
    ],
)
def test_reason_reads_in_the_readers_language(
    locale: str, action: str, preset: str, reason: str, expected: str
) -> None:
    """The chosen reason reads in the reader's language, followed by the moderator's words."""
    assert audit.reason_words(action, preset, reason, locale) == expected


def test_every_reason_and_duration_choice_is_translated() -> None:
    """The moderator's reason and duration choices have Finnish and Swedish words, and
    the page offers exactly the durations the rules name."""
    from kuulolla.moderation.actions import DURATION_PRESETS, REASON_PRESETS
    from kuulolla.web.chat_strings import DURATION_LABELS

    assert tuple(DURATION_LABELS) == DURATION_PRESETS
    for msgid in [*REASON_PRESETS.values(), *DURATION_LABELS.values()]:
        for locale in ("fi", "sv"):
            assert i18n.gettext(locale, msgid) != msgid, (locale, msgid)
