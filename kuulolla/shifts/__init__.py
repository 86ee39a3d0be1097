"""Volunteer shifts: templates, concrete shifts, sign-up rules, coverage, duty, feeds.

The rules are pure (no I/O; time is a parameter)::

    ShiftTemplate ──occurrences()──▶ Occurrence ──plan_horizon()──▶ stored Shift
    (recurrence.py)                  (key: template id + local date)  (horizon.py)
    Shift ◀── Assignment (person, role) ◀── check-in / check-out (duty.py)
              rules.py: sign up, cancel     swaps.py: offer, take, withdraw
    coverage.py: filled / needed, calendars, open shifts, calls for volunteers
    export.py: hours and CSV      ical.py: calendar feed and its tokens
    refusals.py: every refusal code and its translated message
    values.py: the value types they share; grid.py, describe.py, forms.py,
    availability.py: what the pages show and check

Around them, the I/O (each ``do_…`` is one write transaction):

- ``models.py``: the tables (``shift_templates`` with their needs and exceptions,
  ``shifts`` and ``shift_places``, ``shift_assignments``, ``shift_swaps``,
  ``shift_calls`` and their recipients, ``calendar_feeds``, ``shift_debriefs``,
  ``shift_settings``); ``loading.py`` reads rows into the value types.
- ``service.py``: the organisation's rules and the look-ups the pages share;
  ``templates.py``: templates; ``horizon_runs.py``: ``do_plan_horizon``, the pure
  plan applied to the stored shifts; ``room_rosters.py``: a room's roster as the
  room setup changes it.
- ``roster.py``: ``do_sign_up``, ``do_cancel``, ``do_unassign``, swaps
  (``do_offer_swap``, ``do_take_swap``, ``do_withdraw_swap``). ``checkins.py``:
  ``do_check_in``, ``do_check_out``, ``do_close_forgotten`` and who hears of them
  (``DutyEvents``).
- ``notices.py``: calls for volunteers (``do_post_call``), debriefs, calendar feeds
  (``get_feed``). ``views.py``: calendars, a person's shifts, the hours export.
- ``rooms.py``: the roster opens rooms and sizes queues (``duty.room_state``,
  ``duty.queue_capacity`` from stored shifts and check-ins). ``tasks.py``: the hourly
  horizon and forgotten check-outs. ``routes.py``: a member's pages and the calendar
  feed; ``routes_manage.py``: the coordinators' roster; ``routes_templates.py``:
  templates and rules.

The last place: two people taking it at once, exactly one gets it
-------------------------------------------------------------------

``do_sign_up`` in one write transaction (``db.session()``; SQLite ``BEGIN IMMEDIATE``)::

    (PostgreSQL) SELECT … FROM staff_users WHERE id = :person FOR UPDATE  -- one sign-up per person at a time
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

from kuulolla.shifts.recurrence import Occurrence, ShiftKey, ShiftTemplate
from kuulolla.shifts.refusals import Refusal
from kuulolla.shifts.values import (
    PROFESSIONAL,
    VOLUNTEER,
    Assignment,
    Person,
    Qualification,
    Shift,
    ShiftSettings,
    Target,
)

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
