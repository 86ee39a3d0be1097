"""Stop words: words that match everything and rank nothing (pronouns, auxiliaries,
conjunctions, particles), for the archive's search (questions/search.py), the
directory's search and the crisis rules' everyday words (moderation/crisis_model.py).

Finnish ones are base forms: a word is dropped when its *first* base form is listed, so
"olen" (olla), "en" (ei) and "minulla" (minä) go, but "ikä" stays. The lists are
data files (``core/data/stopwords_<language>.txt``, one word a line, ``#`` comments).
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def _stop_words(language: str) -> frozenset[str]:
    lines = (DATA / f"stopwords_{language}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


FINNISH_STOP = _stop_words("fi")
SWEDISH_STOP = _stop_words("sv")
ENGLISH_STOP = _stop_words("en")
