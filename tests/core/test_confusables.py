"""UTS #39 skeletons from the vendored confusables.txt."""

from __future__ import annotations

import pytest

from kuulolla.core import confusables


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Kaisa", "K\u0430isa", True),  # Cyrillic а
        ("KAISA", "\u041a\u0410ISA", True),  # Cyrillic К and А
        ("Aino", "\u0391ino", True),  # Greek Alpha
        ("admin", "\U0001d41a\U0001d41d\U0001d426\U0001d422\U0001d427", True),  # bold maths
        ("modi", "rnodi", True),  # m and rn
        ("O", "0", True),
        ("l", "1", True),
        ("l", "I", True),
        ("Kai\u200dsa", "Kaisa", True),  # a zero-width joiner is ignored
        ("Aino", "Eino", False),
        ("Ella", "Eila", False),
        ("ä", "a", False),  # accents are not confusables; callers drop them if they wish
    ],
)
def test_skeletons(a: str, b: str, same: bool) -> None:
    """Look-alike strings share a skeleton; different letters do not."""
    assert (confusables.skeleton(a) == confusables.skeleton(b)) is same


def test_data_is_unicode_16() -> None:
    """The vendored file is Unicode's own, whole, with its licence beside it."""
    head = confusables.DATA.read_text(encoding="utf-8")[:600]
    assert "Version: 16.0.0" in head
    assert len(confusables.prototypes()) > 6000
    licence = confusables.DATA.with_name("confusables.LICENSE.txt").read_text(encoding="utf-8")
    assert "SPDX-License-Identifier: Unicode-3.0" in licence
