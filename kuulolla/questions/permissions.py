"""Permissions of the question archive's staff pages.

The routes check these against the organisation in the path (``/orgs/{slug}/questions``);
the workflow rules in logic.py then decide which step each person may take on each
question (``logic.TRANSITIONS`` and ``logic.may``). The two agree: every role that
holds :data:`ANSWER_QUESTIONS` is in ``logic.ANSWER_ROLES``, every role that holds
:data:`TRIAGE_QUESTIONS` in ``logic.TRIAGE_ROLES`` and ``logic.PUBLISH_ROLES``.
"""

from __future__ import annotations

from kuulolla.accounts.permissions import COORDINATORS, STAFF_ROLES, Role, define

ANSWER_QUESTIONS = define(
    "answer_questions",
    scope="organisation",
    roles=STAFF_ROLES,
    description="see the organisation's question inbox, draft answers and redact questions",
)
TRIAGE_QUESTIONS = define(
    "triage_questions",
    scope="organisation",
    roles={Role.PROFESSIONAL, Role.COORDINATOR},
    description="accept, refuse and route questions; review and publish answers",
)
QUESTION_SETTINGS = define(
    "question_settings",
    scope="organisation",
    roles=COORDINATORS,
    description="set the organisation's answer deadline and whether answers need review",
)
