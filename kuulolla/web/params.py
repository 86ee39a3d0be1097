"""Numbers and dates from addresses, checked in one place before anything uses them.

A review found server errors for values no database or calendar can hold
(``/questions/9223372036854775808``, ``?before=<20 digits>``, ``?week=9999-12-31``):
Python's integers and dates took them, and the database or the week arithmetic
failed later. Here every such value is range-checked at the edge:

- **path ids**: route paths write ``{name:id}``; the ``id`` convertor matches only
  1 … 2^31 − 1 (what an integer column holds on both databases), so any other value
  matches no route and is a 404, like any address that names nothing;
- **query values**: :func:`query_int`, :func:`query_date` and :func:`query_month` give
  the default for an absent or empty value and raise :class:`BadParameter` (400, a
  translated message) for a malformed or out-of-range one.

Importing this module registers the convertor (Starlette keeps convertors in one
table, read when a route is built), so every module that declares routes imports it
through web/access.py.
"""

from __future__ import annotations

from datetime import date

from starlette.convertors import Convertor, register_url_convertor
from starlette.requests import Request

from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_

MAX_ID = 2**31 - 1
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def _up_to(limit: str) -> str:
    """A regular expression for the decimal numbers of ``len(limit)`` digits that are
    at most ``limit`` (no leading zero)."""
    parts = []
    for i, digit in enumerate(limit):
        rest = len(limit) - i - 1
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            tail = f"[0-9]{{{rest}}}" if rest else ""
            parts.append(f"{limit[:i]}[{low}-{int(digit) - 1}]{tail}")
    parts.append(limit)
    return "|".join(parts)


ID_PATTERN = f"[1-9][0-9]{{0,{len(str(MAX_ID)) - 2}}}|{_up_to(str(MAX_ID))}"


class IdConvertor(Convertor[int]):
    """A database id in a path: 1 … 2^31 − 1, nothing else."""

    regex = f"(?:{ID_PATTERN})"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        if not 1 <= value <= MAX_ID:
            raise ValueError(f"not an id: {value}")
        return str(value)


register_url_convertor("id", IdConvertor())


class BadParameter(BadRequest):
    code = "bad_parameter"
    default_message = N_(
        "The address has a value that cannot be used ({name}). Go back and try again."
    )


def _raw(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    return value.strip() if value and value.strip() else None


def query_int(
    request: Request, name: str, *, default: int | None = None, lo: int = 0, hi: int = MAX_ID
) -> int | None:
    """An integer query value in ``lo`` … ``hi``; ``default`` when absent."""
    raw = _raw(request, name)
    if raw is None:
        return default
    digits = raw.isascii() and raw.isdigit() and len(raw) <= len(str(hi))
    if not digits or not lo <= int(raw) <= hi:
        raise BadParameter(name=name)
    return int(raw)


def parse_date(text: str | None) -> date | None:
    """A date (YYYY-MM-DD) between 2000 and 2100, or None."""
    text = (text or "").strip()
    try:
        value = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None
    return value if value is not None and FIRST_DAY <= value <= LAST_DAY else None


def parse_month(text: str | None) -> tuple[int, int] | None:
    """A month (YYYY-MM) between 2000 and 2100 as (year, month), or None."""
    year, _, month = (text or "").strip().partition("-")
    if not (year.isascii() and year.isdigit() and month.isascii() and month.isdigit()):
        return None
    if len(year) != 4 or len(month) > 2:
        return None
    if not FIRST_DAY.year <= int(year) <= LAST_DAY.year or not 1 <= int(month) <= 12:
        return None
    return int(year), int(month)


def query_date(request: Request, name: str) -> date | None:
    """:func:`parse_date` of a query value; None when absent, 400 when unusable."""
    raw = _raw(request, name)
    if raw is None:
        return None
    value = parse_date(raw)
    if value is None:
        raise BadParameter(name=name)
    return value


def query_month(request: Request, name: str) -> tuple[int, int] | None:
    """:func:`parse_month` of a query value; None when absent, 400 when unusable."""
    raw = _raw(request, name)
    if raw is None:
        return None
    value = parse_month(raw)
    if value is None:
        raise BadParameter(name=name)
    return value
