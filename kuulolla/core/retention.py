"""The retention registry: every kind of personal data the service keeps, how long
by default, and how to delete it for real.

A domain registers its kinds at import time of its ``kuulolla/<domain>/retention.py``::

    from kuulolla.core.i18n import N_
    from kuulolla.core.retention import DataKind, PurgeContext, register

    async def purge_conversations(ctx: PurgeContext) -> int:
        # Delete (or, when ctx.dry_run, count) what of ctx.organisation_id was last
        # touched before ctx.before, including copies in Redis (ctx.redis, may be None).
        ...

    register(DataKind(
        key="conversations",                    # stable: stored in retention_periods
        label=N_("One-to-one conversations"),   # settings page and privacy notice
        contents=N_("The messages of a one-to-one chat and the nickname used in it."),
        seen_by=N_("The volunteer or professional who answered, and the coordinators."),
        default_days=30,
        visitor=True,                           # visitors write it: shown to them
        purge=purge_conversations,
    ))

The purge function must delete for real (no soft delete), be idempotent, and return
how many items it deleted (or would delete when ``ctx.dry_run``). ``kuulolla purge``
and the server's scheduled task call every kind once per organisation with the
organisation's period (``retention_periods``, else ``default_days``); kinds with
``per_organisation=False`` are called once with ``organisation_id=None``.

Staff data rights: :func:`register_staff_data` adds an exporter (what a staff member
downloads about themselves) and an eraser (what happens when an admin erases a
departed person: their name becomes "former volunteer" (:func:`former_label`),
records stay consistent). The registry lives in core because every domain registers
with it; privacy/ applies it (the purge, periods, staff export and erasure).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kuulolla.core import i18n
from kuulolla.core.i18n import N_

if TYPE_CHECKING:
    from kuulolla.core.db import Database
    from kuulolla.core.settings import Settings

FORMER_VOLUNTEER = N_("Former volunteer")


class RegistryError(ValueError):
    """A data kind was registered twice or with impossible limits (a programming error)."""


@dataclass(frozen=True, slots=True)
class PurgeContext:
    """What a purge function is given. Delete what was last touched before ``before``."""

    db: Database
    organisation_id: int | None
    before: datetime
    now: datetime
    dry_run: bool
    settings: Settings
    redis: Any | None = None  # redis.asyncio.Redis when KUULOLLA_REDIS_URL is set


PurgeFn = Callable[[PurgeContext], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class DataKind:
    key: str
    label: str  # msgid (N_), translated where shown
    contents: str  # msgid: what is stored, in plain words
    seen_by: str  # msgid: who can see it
    default_days: int
    purge: PurgeFn = field(compare=False)
    visitor: bool = False  # written by visitors: retention shown on their pages
    per_organisation: bool = True
    min_days: int = 1
    max_days: int = 3650


@dataclass(frozen=True, slots=True)
class StaffContext:
    db: Database
    user_id: int
    now: datetime
    settings: Settings


@dataclass(frozen=True, slots=True)
class StaffData:
    """A domain's part of a staff member's data.

    ``export`` returns JSON-ready data about the person (never other people's personal
    data or secrets such as password hashes). ``erase`` removes what identifies the
    person and keeps the organisation's records consistent: authored records stay,
    attributed to "former volunteer"; it must be idempotent.
    """

    key: str
    export: Callable[[StaffContext], Awaitable[Any]]
    erase: Callable[[StaffContext], Awaitable[int]]


def former_label(settings: Settings) -> str:
    """What an erased person's name becomes, in the service's default language."""
    return i18n.gettext(settings.default_locale, FORMER_VOLUNTEER)


_KINDS: dict[str, DataKind] = {}
_STAFF: dict[str, StaffData] = {}


def register(kind: DataKind) -> DataKind:
    """Add a data kind. Registering the same key twice is an error unless it is the
    same kind again (a module imported twice)."""
    existing = _KINDS.get(kind.key)
    if existing is not None and existing != kind:
        raise RegistryError(f"data kind {kind.key!r} is already registered")
    if not (0 < kind.min_days <= kind.default_days <= kind.max_days):
        raise RegistryError(f"data kind {kind.key!r}: need 0 < min <= default <= max days")
    _KINDS[kind.key] = kind
    return kind


def register_staff_data(part: StaffData) -> StaffData:
    existing = _STAFF.get(part.key)
    if existing is not None and existing != part:
        raise RegistryError(f"staff data {part.key!r} is already registered")
    _STAFF[part.key] = part
    return part


_loaded = False


def load() -> None:
    """Import every ``kuulolla.<domain>.retention`` module, which registers its kinds."""
    global _loaded
    if _loaded:
        return
    import kuulolla

    for info in pkgutil.iter_modules(kuulolla.__path__):
        if not info.ispkg:
            continue
        name = f"kuulolla.{info.name}.retention"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    _loaded = True


def kinds() -> list[DataKind]:
    """Every registered kind, in a stable order (by key)."""
    load()
    return [_KINDS[key] for key in sorted(_KINDS)]


def get_kind(key: str) -> DataKind | None:
    load()
    return _KINDS.get(key)


def staff_data() -> list[StaffData]:
    load()
    return [_STAFF[key] for key in sorted(_STAFF)]
