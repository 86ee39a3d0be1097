"""The account events log as coordinators and admins read it: the filter form's rules
and pages both ways. Pure: the service (accounts/audit.py: ``list_audit``) runs the
query this describes, the routes render it.

Filters come from the query string: ``person`` (a staff member's id: events they did
or that concern them), ``event`` (a key of :data:`EVENT_GROUPS`), ``from`` and ``to``
(Helsinki dates, both inclusive). Pages are keyset pages of ``PER_PAGE`` events:
``before=<id>`` reads older events, ``after=<id>`` newer ones, so a page stays the same
while new events arrive. Bad values raise a translated :class:`BadRequest` whose code
names the field.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from kuulolla.core import times
from kuulolla.core.errors import BadRequest
from kuulolla.core.i18n import N_

PER_PAGE = 100

# The filter's choices: key → (label, the events it covers).
EVENT_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sign_in": (
        N_("Sign-ins and sign-outs"),
        (
            "sign_in",
            "sign_in_failed",
            "sign_out",
            "second_factor_failed",
            "recovery_code_used",
            "sessions_ended",
        ),
    ),
    "passwords": (
        N_("Invitations and passwords"),
        (
            "invitation_created",
            "invitation_accepted",
            "reset_link_created",
            "password_reset",
            "password_changed",
            "password_rehashed",
        ),
    ),
    "people": (
        N_("People, roles and rights"),
        (
            "account_created",
            "member_added",
            "member_removed",
            "role_changed",
            "deactivated",
            "reactivated",
            "admin_granted",
            "admin_revoked",
            "profile_updated",
            "person_erased",
        ),
    ),
    "trainings": (
        N_("Trainings"),
        (
            "qualification_defined",
            "qualification_deleted",
            "qualification_recorded",
            "qualification_removed",
        ),
    ),
    "second_factor": (
        N_("Second factor"),
        ("totp_enabled", "totp_disabled", "totp_reset", "recovery_codes_renewed"),
    ),
    "organisation": (
        N_("Organisation details"),
        ("organisation_created", "organisation_updated", "embed_site_added", "embed_site_removed"),
    ),
}


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What to read. ``since``/``until``: UTC instants, ``until`` exclusive; ``events``:
    the events of the chosen group (empty: all). ``before``/``after``: the page's edge."""

    person: int | None = None
    event: str = ""
    events: tuple[str, ...] = ()
    first: date | None = None
    last: date | None = None
    before: int | None = None
    after: int | None = None

    @property
    def since(self) -> datetime | None:
        return _start_of(self.first) if self.first else None

    @property
    def until(self) -> datetime | None:
        return _start_of(self.last + timedelta(days=1)) if self.last else None

    @property
    def filtered(self) -> bool:
        return bool(self.person or self.event or self.first or self.last)

    def params(self, **changes: object) -> dict[str, str]:
        """The query string of this filter (with ``changes``), for links to other pages."""
        values: dict[str, object] = {
            "person": self.person or "",
            "event": self.event,
            "from": self.first.isoformat() if self.first else "",
            "to": self.last.isoformat() if self.last else "",
        }
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in ("", None)}

    def page(self, *, before: int | None = None, after: int | None = None) -> AuditFilter:
        return replace(self, before=before, after=after)


def _start_of(day: date) -> datetime:
    return times.midnight(day).astimezone(UTC)


def _id(value: str, *, code: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 12:
        raise BadRequest(N_("There is no such page."), code=code)
    return int(value)


def check_filter(params: Mapping[str, str], *, people: Collection[int]) -> AuditFilter:
    """The filter of a query string, or :class:`BadRequest` (code ``bad_audit_<field>``).
    ``people``: the ids the reader may filter by (for a coordinator, the organisation's
    members)."""
    person: int | None = None
    given = params.get("person", "").strip()
    if given:
        if not given.isdigit() or int(given) not in people:
            raise BadRequest(N_("Choose a person from the list."), code="bad_audit_person")
        person = int(given)
    event = params.get("event", "").strip()
    if event and event not in EVENT_GROUPS:
        raise BadRequest(N_("Choose a kind of event from the list."), code="bad_audit_event")
    first = times.parse_day(params.get("from", ""), code="bad_audit_from")
    last = times.parse_day(params.get("to", ""), code="bad_audit_to")
    if first and last and first > last:
        raise BadRequest(N_("The end date cannot be before the start date."), code="bad_audit_to")
    before = _id(params.get("before", ""), code="bad_audit_page")
    after = _id(params.get("after", ""), code="bad_audit_page")
    if before is not None and after is not None:
        raise BadRequest(N_("There is no such page."), code="bad_audit_page")
    return AuditFilter(
        person=person,
        event=event,
        events=EVENT_GROUPS[event][1] if event else (),
        first=first,
        last=last,
        before=before,
        after=after,
    )
