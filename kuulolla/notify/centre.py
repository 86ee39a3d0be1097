"""What waits for a staff member across their organisations, for the notification
centre in the staff header (``/staff/waiting``): calls for volunteers sent to them,
questions routed to them, and for coordinators answers waiting for review, debriefs
and shift swaps waiting for approval. Read from each domain's own lists; each item
names its page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kuulolla.accounts.organisations import list_organisations
from kuulolla.accounts.permissions import Principal, Role
from kuulolla.core.db import Database
from kuulolla.core.i18n import N_, datetime_text, gettext
from kuulolla.questions import logic as questions_logic
from kuulolla.questions.staff import list_queue
from kuulolla.shifts.notices import list_debriefs, list_notices
from kuulolla.shifts.roster import list_swaps

CALL = N_("Call for volunteers: a shift {when}{where}")
ROUTED = N_("Question routed to you: {title}")
REVIEW = N_("Answer waiting for review: {title}")
DEBRIEF = N_("Debrief from {name}")
SWAP = N_("A shift swap waits for your approval")


@dataclass(frozen=True, slots=True)
class Waiting:
    key: str  # stable, for the browser's "seen" marks
    text: str
    link: str
    organisation: str
    created_at: datetime | None


async def get_waiting(
    db: Database, *, principal: Principal, locale: str, now: datetime
) -> list[Waiting]:
    """Everything waiting for the person, newest first."""
    user_id = principal.user_id
    if user_id is None:
        return []
    orgs = await list_organisations(db, ids=list(principal.roles))
    calls = await list_notices(db, person_id=user_id, now=now)
    out: list[Waiting] = []
    for org in orgs:
        role = principal.roles.get(org.id)
        base = f"/orgs/{org.slug}"
        for call in (c for c in calls if c.organisation_id == org.id):
            where = f", {call.room_name}" if call.room_name else ""
            when = datetime_text(call.starts_at, locale)
            out.append(
                Waiting(
                    f"call-{call.call_id}",
                    gettext(locale, CALL, when=when, where=where),
                    f"{base}/shifts",
                    org.name,
                    call.created_at,
                )
            )
        if role in (Role.VOLUNTEER, Role.PROFESSIONAL, Role.COORDINATOR):
            actor = questions_logic.Actor(
                user_id=user_id, role=questions_logic.Role(str(role)), organisation_id=org.id
            )
            routed = await list_queue(
                db, actor=actor, now=now, states=(questions_logic.State.ROUTED,)
            )
            for q in routed:
                if q.assignee_user_id == user_id:
                    out.append(
                        Waiting(
                            f"question-{q.id}",
                            gettext(locale, ROUTED, title=q.title),
                            f"{base}/questions/{q.id}",
                            org.name,
                            q.created_at,
                        )
                    )
            if role == Role.COORDINATOR:
                review = await list_queue(
                    db, actor=actor, now=now, states=(questions_logic.State.IN_REVIEW,)
                )
                for q in review:
                    out.append(
                        Waiting(
                            f"review-{q.id}",
                            gettext(locale, REVIEW, title=q.title),
                            f"{base}/questions/{q.id}",
                            org.name,
                            q.created_at,
                        )
                    )
        if role == Role.COORDINATOR:
            for d in await list_debriefs(db, organisation_id=org.id):
                out.append(
                    Waiting(
                        f"debrief-{d.id}",
                        gettext(locale, DEBRIEF, name=d.person_name),
                        f"{base}/roster/debriefs",
                        org.name,
                        d.created_at,
                    )
                )
            for s in await list_swaps(db, organisation_id=org.id, now=now, statuses=("pending",)):
                out.append(
                    Waiting(f"swap-{s.id}", gettext(locale, SWAP), f"{base}/roster", org.name, None)
                )
    out.sort(key=lambda w: (w.created_at is not None, w.created_at or now), reverse=True)
    return out
