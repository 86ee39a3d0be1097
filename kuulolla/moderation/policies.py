"""What each process keeps of a room's moderation: its settings and compiled screening
policy, its organisation's word list and crisis numbers, and the organisation's active
restrictions.

A room's entry is kept for ``moderation_cache_seconds``; changes are announced on the
moderation channel (moderation/live.py), which drops the copy at once in every
process, so the expiry is only a backstop. An expired copy is still served while one
background read replaces it, and callers that find no copy share one read, so a busy
room never makes every sender query the database at the same moment. Restrictions are
read again every :data:`RECHECK` / 2 seconds at most, one read per organisation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kuulolla.accounts.organisations import get_organisation_by_id
from kuulolla.core.cache import SharedCache, spread
from kuulolla.core.clock import Clock
from kuulolla.core.db import Database
from kuulolla.core.settings import Settings
from kuulolla.moderation import actions, restrictions, service
from kuulolla.moderation.actions import RoomSettings
from kuulolla.moderation.flood import FloodPolicy
from kuulolla.moderation.logic import Policy, compile_words
from kuulolla.moderation.wordlists import WordList

log = logging.getLogger(__name__)

RECHECK = 30.0  # seconds a member's restriction status is trusted before re-reading it


def public_numbers(crisis: Iterable[dict[str, Any]]) -> frozenset[str]:
    """The organisation's crisis numbers in national digits ("0925250111"): never masked."""
    out = set()
    for row in crisis:
        digits = "".join(ch for ch in str(row.get("number", "")) if ch.isdigit())
        if str(row.get("number", "")).strip().startswith("+") and digits.startswith("358"):
            digits = "0" + digits[3:]
        if digits:
            out.add(digits)
    return frozenset(out)


@dataclass(slots=True)
class RoomEntry:
    organisation_id: int
    settings: RoomSettings
    policy: Policy
    crisis: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class OrganisationEntry:
    """What every room of an organisation screens with: its compiled word list and its
    crisis numbers (never masked). Kept once per organisation, not per room."""

    words: WordList
    crisis: list[dict[str, Any]]
    public_numbers: frozenset[str]


class RoomPolicies:
    """The rooms', organisations' and restrictions' copies one process keeps."""

    def __init__(
        self, *, db: Database, clock: Clock, settings: Settings, flood: FloodPolicy | None
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.flood = flood
        # Expired room entries are served while one read renews them; restrictions are
        # read again before use.
        self._rooms: SharedCache[int, RoomEntry] = SharedCache(serve_stale=lambda _: True)
        self._organisations: SharedCache[int, OrganisationEntry] = SharedCache(
            serve_stale=lambda _: True
        )
        self._restrictions: SharedCache[int, list[actions.StoredRestriction]] = SharedCache()

    async def room_entry(self, room_id: int, organisation_id: int) -> RoomEntry:
        """The room's settings and screening policy."""

        async def load() -> tuple[RoomEntry, float]:
            return await self._load(room_id, organisation_id)

        return await self._rooms.get(room_id, load, now=self.clock.monotonic())

    async def _load(self, room_id: int, organisation_id: int) -> tuple[RoomEntry, float]:
        clock = self.clock
        try:
            settings = await service.get_room_settings(self.db, room_id=room_id)
            org = await self._organisations.get(
                organisation_id,
                lambda: self._load_organisation(organisation_id),
                now=clock.monotonic(),
            )
        except Exception:
            stale = self._rooms.kept(room_id)
            if stale is None:
                raise
            log.warning(
                "moderation.room_reload_failed",
                exc_info=True,
                extra={"event": "moderation.room_reload_failed", "room_id": room_id},
            )
            return stale, clock.monotonic() + 2.0  # try again soon
        policy = actions.policy_for(
            settings, words=org.words, flood=self.flood, public_numbers=org.public_numbers
        )
        entry = RoomEntry(organisation_id, settings, policy, org.crisis)
        return entry, clock.monotonic() + spread(self.settings.moderation_cache_seconds)

    async def _load_organisation(self, organisation_id: int) -> tuple[OrganisationEntry, float]:
        words = await service.get_word_list(self.db, organisation_id=organisation_id)
        org = await get_organisation_by_id(self.db, organisation_id=organisation_id)
        crisis = list(org.crisis_numbers) if org else []
        entry = OrganisationEntry(
            compile_words(words) if words else actions.EMPTY, crisis, public_numbers(crisis)
        )
        return entry, self.clock.monotonic() + spread(self.settings.moderation_cache_seconds)

    async def restrictions(self, organisation_id: int) -> list[actions.StoredRestriction]:
        """The organisation's active restrictions."""

        async def load() -> tuple[list[actions.StoredRestriction], float]:
            rows = await restrictions.list_active_restrictions(
                self.db, organisation_id=organisation_id, now=self.clock.now()
            )
            return rows, self.clock.monotonic() + RECHECK / 2

        return await self._restrictions.get(organisation_id, load, now=self.clock.monotonic())

    def forget(self, room_id: int) -> None:
        self._rooms.forget(room_id)

    def forget_organisation(self, organisation_id: int) -> None:
        self._organisations.forget(organisation_id)
        self._rooms.forget_where(lambda entry: entry.organisation_id == organisation_id)

    def forget_restrictions(self, organisation_id: int) -> None:
        self._restrictions.forget(organisation_id)

    def forget_all(self) -> None:
        self._rooms.forget_where(lambda _entry: True)
        self._organisations.forget_where(lambda _entry: True)
        self._restrictions.forget_where(lambda _entry: True)
