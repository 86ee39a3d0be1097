"""Volunteer shifts: templates, concrete shifts, sign-up rules, coverage, duty, feeds.

Everything here is pure (no I/O; time is a parameter). The model::

    ShiftTemplate ──occurrences()──▶ Occurrence ──plan_horizon()──▶ stored Shift
    (recurrence.py)                  (key: template id + local date)  (horizon.py)
    Shift ◀── Assignment (person, role) ◀── check-in / check-out (duty.py)
              rules.py: sign up, cancel     swaps.py: offer, take, approve
    coverage.py: filled / needed, calendars, open shifts, calls for volunteers
    export.py: hours and CSV      ical.py: calendar feed and its tokens
    refusals.py: every refusal code and its translated message

Design note for the wiring step (tables and services; not built yet)
--------------------------------------------------------------------

Tables (all times ``UTCDateTime``; local dates and wall times as DATE/TIME):

- ``shift_templates``: id, organisation_id, room_id | topic_id (one of them, CHECK),
  start_time, end_time, rule, valid_from, valid_until, qualification_id, skip_holidays,
  updated_at. ``shift_template_needs`` (template_id, role, count) and
  ``shift_template_exceptions`` (template_id, day), primary keys as listed.
- ``shifts``: id, organisation_id, template_id (NULL for one-off or detached shifts),
  day (local date), room_id | topic_id, starts_at, ends_at, qualification_id,
  cancelled_at, sequence (bumped on every change, for the feed's SEQUENCE).
  UNIQUE (template_id, day) makes horizon generation idempotent even when two
  workers run it at once (insert … ON CONFLICT DO NOTHING). Index (room_id, starts_at)
  and (topic_id, starts_at).
- ``shift_places`` (shift_id, role, needed, filled), primary key (shift_id, role),
  CHECK (filled >= 0): the counter that decides the last place.
- ``shift_assignments``: id, shift_id, person_id, role, created_at, checked_in_at,
  checked_out_at; UNIQUE (shift_id, person_id). A person's cancellation deletes the
  row (the audit log keeps the fact); a cancelled shift keeps its rows so feeds show
  it as cancelled.
- ``shift_swaps``: id, assignment_id, status (open/pending/done/withdrawn),
  taker_id, offered_at, decided_by, decided_at.
- ``shift_calls`` (id, shift_id, created_by, created_at, message) and
  ``shift_call_recipients`` (call_id, person_id, read_at): the in-app notices.
- ``calendar_feeds``: id, person_id, token_hash UNIQUE, created_at, last_used_at.
  Revoking deletes the row; a new token replaces it.
- ``shift_debriefs``: id, assignment_id, created_at, text: the volunteer's note after
  a shift for their coordinator; no visitor details; purged with the organisation's
  retention like other unpublished texts.
- ``shift_settings``: one row per organisation with :class:`ShiftSettings` fields.

Services (``shifts/service.py``; each ``do_…`` in one ``db.session()``):

- ``do_plan_horizon(org, now)``: daily task and after every template change: read
  templates and stored future shifts with their ``shift_places``, ``plan_horizon``,
  apply (insert/update/cancel/reopen, keeping ``shift_places.needed`` in step),
  notify coordinators of ``conflicts``.
- ``do_sign_up``, ``do_cancel``, ``do_assign``/``do_unassign`` (coordinator),
  ``do_offer_swap``, ``do_take_swap``, ``do_approve_swap``/``do_reject_swap``,
  ``do_withdraw_swap``, ``do_check_in``, ``do_check_out``, ``do_close_forgotten``
  (periodic: ``due_check_outs``), ``do_post_call`` (``call_recipients``).
- Reads: ``get_week_view``/``get_month_view`` (``CalendarView.span``),
  ``get_open_shifts``, ``get_hours_csv``, ``get_feed`` (by ``lookup_hash``).
- Rooms and the queue: ``room_state`` and ``queue_capacity`` from the roster,
  recomputed on check-in/out and every minute; a periodic task posts the closing
  notice when ``closing_announcement_due``.

The last place: two people taking it at once, exactly one gets it
-------------------------------------------------------------------

``do_sign_up`` in one write transaction (``db.session()``; SQLite ``BEGIN IMMEDIATE``)::

    (PostgreSQL) SELECT … FROM users WHERE id = :person FOR UPDATE   -- one sign-up per person at a time
    read the shift, the person's assignments; check_signup(...)        -- pure; refusal → rollback
    UPDATE shift_places SET filled = filled + 1
     WHERE shift_id = :shift AND role = :role AND filled < needed      -- rowcount 0 → shift_full
    INSERT INTO shift_assignments …                                    -- UNIQUE → already_signed_up

On PostgreSQL (READ COMMITTED) the second UPDATE waits for the first one's row lock
and then re-evaluates ``filled < needed`` on the committed row, so it updates
nothing. On SQLite ``BEGIN IMMEDIATE`` lets only one writer in at a time, so the
second transaction reads the count after the first has committed. The person lock
keeps one person's two simultaneous sign-ups (overlap, weekly cap) from both
passing. Cancelling decrements ``filled`` in the same transaction as the delete. A
swap moves the assignment to the taker with
``UPDATE shift_swaps SET status = … WHERE id = :id AND status = 'open'`` (rowcount 0
→ ``swap_not_open``), so one offer has one taker.
"""

from kuulolla.shifts.model import (
    PROFESSIONAL,
    VOLUNTEER,
    Assignment,
    Person,
    Qualification,
    Shift,
    ShiftSettings,
    Target,
)
from kuulolla.shifts.recurrence import Occurrence, ShiftKey, ShiftTemplate
from kuulolla.shifts.refusals import Refusal

__all__ = [
    "PROFESSIONAL",
    "VOLUNTEER",
    "Assignment",
    "Occurrence",
    "Person",
    "Qualification",
    "Refusal",
    "Shift",
    "ShiftKey",
    "ShiftSettings",
    "ShiftTemplate",
    "Target",
]
