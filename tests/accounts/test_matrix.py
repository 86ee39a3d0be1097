"""The authorization matrix, generated from the application's route table.

Every HTTP route × method is requested as {anonymous, volunteer, professional,
coordinator, admin} of organisation "alfa", on alfa's objects ("own"), beeta's
("other") and, where a path names an organisation and one of its objects, alfa's
path with beeta's object ("mixed": must be 404 for whoever may use the route). Every
request carries a valid CSRF token, so what refuses it is the authorization alone.
Every WebSocket frame type is covered the same way. A route or frame type this file
does not know fails the test: a new one cannot be forgotten.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from starlette.routing import Mount, Route, WebSocketRoute

from kuulolla.accounts import links, permissions
from kuulolla.accounts.permissions import Principal, Role
from kuulolla.chat.decoding import AnyClientFrame
from kuulolla.web.access import policy_of
from tests.accounts.conftest import Env
from tests.accounts.helpers import (
    anonymous_headers,
    make_session,
    session_csrf,
    session_headers,
)
from tests.helpers import NOW

PRINCIPALS = ("anonymous", "volunteer", "professional", "coordinator", "admin")

# Who may use each route: "everyone", "staff" (any signed-in person), "coordinator"
# (of the organisation in the path, or an admin), "member" (anyone with a role in the
# organisation in the path, or an admin), "org_triage" (a professional or coordinator
# of it, or an admin) or "admin". Written out by hand on purpose: the
# matrix checks the code against this, not against itself.
AUDIENCE = {
    # The one-to-one queue: visitors by their tab's token; helpers of the organisation.
    "queue_topics": "everyone",
    "queue_topic": "everyone",
    "queue_enter": "everyone",
    "queue_status": "everyone",
    "queue_leave": "everyone",
    "queue_feedback": "everyone",
    "queue_return_code": "everyone",
    "queue_delete": "everyone",
    "queue_console": "member",
    "queue_duty": "member",
    "queue_take": "member",
    "queue_chat": "member",
    "queue_note": "member",
    "queue_transfer": "member",
    "queue_professional": "member",
    "queue_end": "member",
    "queue_heartbeat": "member",
    "queue_stream": "member",
    "queue_manage": "coordinator",
    "queue_topic_new": "coordinator",
    "queue_topic_edit": "coordinator",
    "queue_canned_add": "coordinator",
    "queue_canned_edit": "coordinator",
    "queue_canned_delete": "coordinator",
    "queue_helper_limits": "coordinator",
    "index": "everyone",
    "room": "everyone",
    "about": "everyone",
    "about_plain": "everyone",
    "quick_exit": "everyone",
    "accessibility_statement": "everyone",
    # What crawlers and the installable app read.
    "robots_txt": "everyone",
    "sitemap": "everyone",
    "sitemap_file": "everyone",
    "manifest": "everyone",
    "service_worker": "everyone",
    "favicon": "everyone",
    "offline": "everyone",
    # The chat embedded on organisations' sites, and the sites a coordinator allows.
    "embed_script": "everyone",
    "embed_topic": "everyone",
    "embed_room": "everyone",
    "embed_settings": "coordinator",
    "embed_site_add": "coordinator",
    "embed_site_remove": "coordinator",
    "healthz": "everyone",
    "readyz": "everyone",
    "ws": "everyone",
    "static": "everyone",
    "sign_in": "everyone",
    "second_factor": "everyone",
    "sign_out": "everyone",
    "welcome": "everyone",
    "staff_home": "staff",
    "account": "staff",
    "account_notifications": "staff",
    "staff_waiting": "staff",
    "account_password": "staff",
    "account_second_factor": "staff",
    "account_second_factor_off": "staff",
    "account_recovery_codes": "staff",
    "account_end_sessions": "staff",
    "people": "coordinator",
    "people_invite": "coordinator",
    "person": "coordinator",
    "person_role": "coordinator",
    "person_remove": "coordinator",
    "person_deactivate": "coordinator",
    "person_reactivate": "coordinator",
    "person_reset_link": "coordinator",
    "person_end_sessions": "coordinator",
    "person_reset_second_factor": "coordinator",
    "person_qualification": "coordinator",
    "person_qualification_delete": "coordinator",
    "qualifications": "coordinator",
    "qualifications_create": "coordinator",
    "qualification_delete": "coordinator",
    "organisation_settings": "coordinator",
    "organisation_audit": "coordinator",
    "admin_organisations": "admin",
    "admin_organisations_create": "admin",
    "admin_staff": "admin",
    "admin_staff_admin": "admin",
    "admin_staff_membership": "admin",
    "admin_staff_account": "admin",
    "admin_audit": "admin",
    "metrics": "everyone",
    # The question archive: visitors ask, follow with a claim code, browse and vote.
    "questions": "everyone",
    "questions_search": "everyone",
    "search_submit": "everyone",
    "questions_ask": "everyone",
    "ask_submit": "everyone",
    "questions_similar": "everyone",
    "questions_claim": "everyone",
    "claim_submit": "everyone",
    "questions_claim_page": "everyone",
    "withdraw": "everyone",
    "question": "everyone",
    "vote": "everyone",
    # Privacy: the notice, retention settings, a visitor's deletion.
    "privacy_notice": "everyone",
    "organisation_retention": "coordinator",
    "platform_retention": "admin",
    "questions_claim_delete": "everyone",
    "account_data": "staff",
    "admin_staff_erase": "admin",
    # Reports: an organisation's coordinators, and admins across organisations.
    "reports": "coordinator",
    "reports_csv": "coordinator",
    "reports_summary": "coordinator",
    "admin_reports": "admin",
    "admin_reports_csv": "admin",
    "admin_reports_summary": "admin",
    # Shifts: members sign up and work; coordinators plan; the feed is by secret URL.
    "shifts_mine": "member",
    "shifts_sign_up": "member",
    "shifts_cancel": "member",
    "shifts_offer_swap": "member",
    "shifts_check_in": "member",
    "shifts_check_out": "member",
    "shifts_debrief": "member",
    "shifts_take_swap": "member",
    "shifts_withdraw_swap": "member",
    "shifts_dismiss_notice": "member",
    "calendar_feed_new": "staff",
    "calendar_feed_revoke": "staff",
    "calendar_feed": "everyone",
    "roster": "coordinator",
    "roster_assign": "coordinator",
    "roster_call": "coordinator",
    "roster_unassign": "coordinator",
    "roster_swap_approve": "coordinator",
    "roster_swap_reject": "coordinator",
    "roster_hours": "coordinator",
    "roster_debriefs": "coordinator",
    "roster_debrief_handled": "coordinator",
    "roster_templates": "coordinator",
    "roster_templates_create": "coordinator",
    "roster_template": "coordinator",
    "roster_settings": "coordinator",
    "roster_shift": "coordinator",
    # Rooms: an organisation's coordinators set them up; admins see every organisation's.
    "org_rooms": "coordinator",
    "org_room_new": "coordinator",
    "org_room": "coordinator",
    "org_room_schedule": "coordinator",
    "org_room_schedule_end": "coordinator",
    "org_room_archive": "coordinator",
    "org_feedback": "coordinator",
    "admin_rooms": "admin",
    # Staff pages of the archive: an organisation's inbox and each question's steps.
    "staff_questions": "member",
    "staff_question": "member",
    "staff_question_draft": "member",
    "staff_question_submit": "member",
    "staff_question_redact": "member",
    "staff_question_accept": "org_triage",
    "staff_question_refuse": "org_triage",
    "staff_question_route": "org_triage",
    "staff_question_return": "org_triage",
    "staff_question_publish": "org_triage",
    "staff_question_settings": "coordinator",
    # Moderation records of an organisation: its coordinators (and admins).
    "moderation_audit": "coordinator",
    "moderation_words": "coordinator",
    "moderation_words_set": "coordinator",
    "moderation_words_remove": "coordinator",
    "desk": "member",
    "desk_stream": "member",
    "desk_ack": "member",
    "desk_decide": "member",
    # The service directory: visitors read it and its open data; coordinators publish
    # their organisation's services; admins curate the topics and the licence.
    "directory": "everyone",
    "directory_search": "everyone",
    "directory_open_data": "everyone",
    "directory_feed_json": "everyone",
    "directory_feed_csv": "everyone",
    "directory_search_json": "everyone",
    "directory_service": "everyone",
    "directory_manage": "coordinator",
    "directory_settings": "coordinator",
    "directory_service_new": "coordinator",
    "directory_import": "coordinator",
    "directory_service_edit": "coordinator",
    "directory_service_checked": "coordinator",
    "directory_service_delete": "coordinator",
    "admin_directory": "admin",
    "admin_directory_licence": "admin",
    "admin_directory_topic_new": "admin",
    "admin_directory_topic": "admin",
}

# Every client frame type of the socket, and who may use it.
WS_ACTIONS = {
    "hello": "everyone: staff are recognised from the session cookie",
    "join": "everyone as a visitor; staff with chat_as_staff in the room's organisation, else refused",
    "send": "whoever has joined the room",
    "leave": "everyone",
    "ping": "everyone",
    # Moderation (kuulolla/moderation/commands.py): visitors report and write to the
    # moderators; the rest needs moderate_any_time in the room's organisation
    # (coordinators, admins) or moderate_rooms (any staff role there) while checked in
    # on a shift of the room, else not_moderator.
    "report": "whoever has joined the room",
    "to_moderators": "whoever has joined the room",
    "redact": "moderators of the room: on duty there, or coordinators and admins",
    "restrict": "moderators of the room: on duty there, or coordinators and admins",
    "lift": "moderators of the room: on duty there, or coordinators and admins",
    "room_settings": "moderators of the room: on duty there, or coordinators and admins",
    "decide": "moderators of the room: on duty there, or coordinators and admins",
    "whisper": "moderators of the room: on duty there, or coordinators and admins",
    "reports": "moderators of the room: on duty there, or coordinators and admins",
    "resolve": "moderators of the room: on duty there, or coordinators and admins",
    "members": "moderators of the room: on duty there, or coordinators and admins",
    # A referral card (kuulolla/directory/referrals.py): staff who have joined the room
    # (with chat_as_staff there, or admins); visitors get refer_not_staff.
    "refer": "staff who have joined the room",
}


def expected(audience: str, principal: str, target: str) -> bool:
    if audience == "everyone":
        return True
    if audience == "staff":
        return principal != "anonymous"
    if audience == "coordinator":
        return principal == "admin" or (principal == "coordinator" and target == "own")
    if audience == "member":
        return principal == "admin" or (principal != "anonymous" and target == "own")
    if audience == "org_triage":
        return principal == "admin" or (
            principal in ("professional", "coordinator") and target == "own"
        )
    if audience == "admin":
        return principal == "admin"
    raise AssertionError(f"unknown audience {audience}")


def consistent(audience: str, policy: Any) -> bool:
    """The declared policy says the same as the audience written above."""
    permission = policy.permission
    if audience == "everyone":
        return policy.public
    if audience == "staff":
        return permission is not None and permission.scope == "signed_in"
    if audience == "member":
        return (
            permission is not None
            and permission.scope == "organisation"
            and permission.roles == set(permissions.ROLES)
            and policy.org is not None
        )
    if audience == "coordinator":
        return (
            permission is not None
            and permission.scope == "organisation"
            and permission.roles == {Role.COORDINATOR}
            and policy.org is not None
        )
    if audience == "org_triage":
        return (
            permission is not None
            and permission.scope == "organisation"
            and permission.roles == {Role.PROFESSIONAL, Role.COORDINATOR}
            and policy.org is not None
        )
    return permission is not None and permission.scope == "platform"


def routes(app: Any) -> list[Any]:
    return list(app.routes)


def test_every_route_declares_a_policy_and_is_in_the_matrix(env: Env) -> None:
    """No route lacks a declared policy, and each one's policy matches the matrix."""
    problems = []
    names = set()
    for route in routes(env.app):
        if isinstance(route, Mount):
            target = route.app
            assert not getattr(route, "routes", None) or route.name == "static"
        elif isinstance(route, (Route, WebSocketRoute)):
            target = route.endpoint
        else:
            problems.append(f"{route!r}: unknown kind of route")
            continue
        names.add(route.name)
        policy = policy_of(target)
        if policy is None:
            problems.append(
                f"{route.name} ({route.path}): no declared policy (use @requires or @public)"
            )
        elif route.name not in AUDIENCE:
            problems.append(
                f"{route.name} ({route.path}): missing from the matrix's AUDIENCE table"
            )
        elif not consistent(AUDIENCE[route.name], policy):
            problems.append(
                f"{route.name}: declared {policy} but the matrix expects {AUDIENCE[route.name]}"
            )
    assert problems == []
    assert set(AUDIENCE) == names, "AUDIENCE names routes that do not exist"


def test_every_socket_frame_type_is_in_the_matrix() -> None:
    """Each client frame type of the WebSocket protocol has a row in the matrix."""
    tags = {cls.__struct_config__.tag for cls in AnyClientFrame.__args__}  # type: ignore[attr-defined]
    assert tags == set(WS_ACTIONS)


def test_every_defined_permission_has_roles_that_make_sense() -> None:
    """Organisation permissions name roles; the others name none."""
    for permission in permissions.all_permissions():
        if permission.scope == "organisation":
            assert permission.roles and permission.roles <= set(permissions.ROLES)
        else:
            assert not permission.roles


class Caller:
    """Fresh credentials for each request (some requests end the session they ride on)."""

    def __init__(self, env: Env, name: str) -> None:
        self.env = env
        self.name = name
        self.user_id = (
            None
            if name == "anonymous"
            else env.world.users["admin" if name == "admin" else f"{name}-alfa"]
        )
        self.tokens: list[str] = []

    def credentials(self) -> tuple[dict[str, str], str]:
        settings = self.env.settings
        if self.user_id is None:
            return anonymous_headers(settings)
        if not self.tokens:
            user_id = self.user_id

            async def many(db: Any) -> list[str]:
                return [await make_session(db, user_id, now=NOW) for _ in range(60)]

            self.tokens = self.env.db(many)
        token = self.tokens.pop()
        return session_headers(settings, token), session_csrf(settings, token)


def fill(path: str, env: Env, *, org: str, obj_org: str, link_token: str) -> str:
    world = env.world
    values = {
        "slug": world.rooms[org] if path.startswith(("/rooms/", "/embed/rooms/")) else org,
        "topic": "ei-aihetta",
        "user_id": str(world.users[f"target-{obj_org}"]),
        "record_id": str(world.records[obj_org]),
        "qualification_id": str(world.qualifications[obj_org]),
        "token": link_token,
        "id": "1",
        "question_id": str(world.questions[obj_org]),
        "code": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH",
        # Shift objects: ids nobody has, so whoever may use a route gets 404.
        "shift_id": "999999",
        "assignment_id": "999999",
        "swap_id": "999999",
        "call_id": "999999",
        "template_id": "999999",
        "debrief_id": "999999",
        "canned_id": "999999",
        "site_id": "999999",
        "section": "answers",
        "n": "1",
        # Directory objects: a service nobody has (a public page answers 404 to all).
        "service": "ei-palvelua",
        "service_id": "999999",
        # A room of the organisation (or, mixed, another's: 404 for those who may use it).
        "room": world.rooms[obj_org],
    }

    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        if name not in values:
            raise AssertionError(f"the matrix does not know how to fill {{{name}}} in {path}")
        return values[name]

    return re.sub(r"\{([^}]+)\}", value, path)


def denied(response: Any) -> bool:
    if response.status_code >= 500:
        raise AssertionError(f"server error: {response.status_code} {response.text[:300]}")
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("location", "")
    return response.status_code == 303 and (
        location.startswith("/sign-in?next=") or location == "/account/second-factor"
    )


async def routed_questions(db: Any, orgs: dict[str, int]) -> dict[str, int]:
    """A question routed to each organisation, for the staff question pages."""
    from kuulolla.questions import asking, asking_rules, logic, workflow

    admin = logic.Actor(user_id=0, role=logic.Role.ADMIN, organisation_id=None)
    out = {}
    for org in ("alfa", "beeta"):
        ask = asking_rules.check_ask(
            title="",
            body=f"Kysymys organisaatiolle {org}, jota kukaan ei vielä ole käsitellyt.",
            category="youth",
            language="fi",
            visibility="private",
            consent=False,
        )
        receipt = await asking.do_ask(db, ask=ask, deadline_days=10, now=NOW)
        await workflow.do_accept(
            db, question_id=receipt.question_id, actor=admin, default_days=10, now=NOW
        )
        await workflow.do_route(
            db,
            question_id=receipt.question_id,
            actor=admin,
            organisation_id=orgs[org],
            default_days=10,
            now=NOW,
        )
        out[org] = receipt.question_id
    return out


def test_authorization_matrix(env: Env) -> None:
    """Every route × method × principal × own/other organisation: zero unexpected allows (or denials)."""

    async def invitation(db: Any) -> str:
        admin = Principal(user_id=env.world.users["admin"], is_admin=True)
        issued = await links.do_invite(
            db,
            actor=admin,
            organisation_id=env.world.orgs["beeta"],
            username="matriisi",
            display_name="Matriisi",
            role="volunteer",
            settings=env.settings,
            now=NOW,
        )
        return issued.token

    link_token = env.db(invitation)
    env.world.questions.update(env.db(lambda db: routed_questions(db, env.world.orgs)))
    callers = {name: Caller(env, name) for name in PRINCIPALS}
    mismatches: list[str] = []
    checked = 0
    # Destructive routes (removing the target person, say) run after the others.
    ordered = sorted(
        (r for r in routes(env.app) if isinstance(r, Route)),
        key=lambda r: (
            r.name
            in ("person_remove", "person_deactivate", "admin_staff_erase", "org_room_archive")
        ),
    )
    for route in ordered:
        policy = policy_of(route.endpoint)
        assert policy is not None
        audience = AUDIENCE[route.name]
        org_scoped = policy.org is not None
        objects = set(re.findall(r"\{(\w+)", route.path)) - {"slug"}
        targets = (
            ["own", "other"] + (["mixed"] if org_scoped and objects else [])
            if org_scoped
            else ["none"]
        )
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            for name in PRINCIPALS:
                for target in targets:
                    org = {"own": "alfa", "other": "beeta", "mixed": "alfa", "none": "alfa"}[target]
                    obj_org = "beeta" if target in ("other", "mixed") else "alfa"
                    path = fill(route.path, env, org=org, obj_org=obj_org, link_token=link_token)
                    headers, token = callers[name].credentials()
                    if method == "GET":
                        response = env.client.get(path, headers=headers, follow_redirects=False)
                    else:
                        response = env.client.request(
                            method,
                            path,
                            headers=headers,
                            data={"csrf_token": token},
                            follow_redirects=False,
                        )
                    checked += 1
                    if route.name == "account_end_sessions":
                        callers[name].tokens.clear()  # every session of the caller ended
                    was_denied = denied(response)
                    if target == "mixed":
                        if expected(audience, name, "own"):
                            if response.status_code != 404:
                                mismatches.append(
                                    f"{method} {path} as {name}: {response.status_code}, expected 404"
                                )
                        elif not was_denied:
                            mismatches.append(
                                f"{method} {path} as {name}: allowed, expected denied"
                            )
                        continue
                    if was_denied == expected(audience, name, target):
                        mismatches.append(
                            f"{method} {route.path} as {name} on {target}: "
                            f"{'denied' if was_denied else 'allowed'} ({response.status_code}), "
                            f"expected {'allowed' if expected(audience, name, target) else 'denied'}"
                        )
    assert "\n".join(mismatches) == ""
    assert checked > 300


WS_EXPECTED = {
    # (principal, room's organisation): (me.kind, role in the room or the refusal's code)
    ("anonymous", "own"): ("visitor", "visitor"),
    ("anonymous", "other"): ("visitor", "visitor"),
    ("volunteer", "own"): ("staff", "volunteer"),
    ("volunteer", "other"): ("staff", "staff_other_organisation"),
    ("professional", "own"): ("staff", "professional"),
    ("professional", "other"): ("staff", "staff_other_organisation"),
    ("coordinator", "own"): ("staff", "coordinator"),
    ("coordinator", "other"): ("staff", "staff_other_organisation"),
    ("admin", "own"): ("staff", "admin"),
    ("admin", "other"): ("staff", "admin"),
}


def until(ws: Any, kind: str) -> dict[str, Any]:
    """The next frame of type ``kind`` (presence frames may come in between)."""
    for _ in range(20):
        frame = ws.receive_json()
        if frame["type"] == kind:
            return frame  # type: ignore[no-any-return]
    raise AssertionError(f"no {kind} frame")


def until_any(ws: Any, kinds: tuple[str, ...]) -> dict[str, Any]:
    """The next frame of one of ``kinds``."""
    for _ in range(20):
        frame = ws.receive_json()
        if frame["type"] in kinds:
            return frame  # type: ignore[no-any-return]
    raise AssertionError(f"no {kinds} frame")


@pytest.mark.parametrize("name", PRINCIPALS)
def test_socket_actions_matrix(env: Env, name: str) -> None:
    """hello/join/send/leave/ping for each principal in its own and another organisation's room."""
    caller = Caller(env, name)
    for target, org in (("own", "alfa"), ("other", "beeta")):
        kind, outcome = WS_EXPECTED[(name, target)]
        headers, _ = caller.credentials()
        room = env.world.rooms[org]
        with env.client.websocket_connect("wss://testserver/ws", headers=headers) as ws:
            ws.send_text(json.dumps({"type": "join", "room": room, "nick": "Vieras"}))
            assert ws.receive_json()["code"] == "hello_required"
        with env.client.websocket_connect("wss://testserver/ws", headers=headers) as ws:
            ws.send_text(json.dumps({"type": "hello", "v": 1}))
            welcome = ws.receive_json()
            assert welcome["me"]["kind"] == kind
            ws.send_text(json.dumps({"type": "send", "room": room, "text": "ennen", "ref": "r0"}))
            assert ws.receive_json()["code"] == "not_joined"
            ws.send_text(json.dumps({"type": "join", "room": room, "nick": "Vieras"}))
            reply = ws.receive_json()
            if outcome in ("staff_other_organisation",):
                assert reply["type"] == "error" and reply["code"] == outcome
            else:
                assert reply["type"] == "joined", reply
                ws.send_text(
                    json.dumps({"type": "send", "room": room, "text": "hei", "ref": f"r-{name}"})
                )
                message = until(ws, "message")
                assert message["from"]["role"] == outcome
                if kind == "staff":
                    assert message["from"]["nick"] == welcome["me"]["name"]
                # A moderator-only frame: done for coordinators and admins; refused for
                # visitors and for other staff who are not checked in on the room's shift.
                ws.send_text(json.dumps({"type": "reports", "room": room}))
                reply = until_any(ws, ("reports", "error"))
                if name in ("coordinator", "admin"):
                    assert reply["type"] == "reports", reply
                else:
                    assert reply["code"] == "not_moderator"
            ws.send_text(json.dumps({"type": "ping"}))
            until(ws, "pong")
            ws.send_text(json.dumps({"type": "leave", "room": room}))
            assert until(ws, "left") == {"type": "left", "room": room}
