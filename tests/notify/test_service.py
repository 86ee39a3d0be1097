"""Staff e-mail notifications against real SQLite and PostgreSQL and a local SMTP
server (aiosmtpd): choices checked, an escalation e-mailed once to who chose it, a
digest gathered, nothing sent without SMTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kuulolla.core.db import Database
from kuulolla.core.errors import BadRequest
from kuulolla.notify import service
from tests.accounts.helpers import add_person
from tests.helpers import NOW
from tests.notify.conftest import Inbox


@pytest.mark.parametrize(
    ("email", "mode", "code"),
    [
        ("anu@example.fi", "sometimes", "bad_mode"),
        ("not an address", "immediate", "bad_email"),
        ("", "digest", "bad_email"),
    ],
)
def test_bad_choices_are_refused_with_the_field(email: str, mode: str, code: str) -> None:
    """A mode that does not exist, a malformed address or none at all is refused."""
    with pytest.raises(BadRequest) as refused:
        service.check_choice(email=email, mode=mode)
    assert refused.value.code == code


def message(locale: str) -> tuple[str, str]:
    return (f"Aihe {locale}", "Kriisihälytys odottaa")


@pytest.mark.asyncio
async def test_immediate_mail_goes_once_and_digest_waits(
    db: Database, smtp: tuple[str, Inbox]
) -> None:
    """ "At once" is sent in the next round and never again; a digest waits for its
    time and then gathers everything in one e-mail; "off" gets nothing."""
    url, inbox = smtp
    anu = await add_person(db, "anu")
    kaisa = await add_person(db, "kaisa")
    ville = await add_person(db, "ville")
    await service.do_set_choice(db, user_id=anu, email="anu@example.fi", mode="immediate", now=NOW)
    await service.do_set_choice(db, user_id=kaisa, email="kaisa@example.fi", mode="digest", now=NOW)
    await service.do_set_choice(db, user_id=ville, email="ville@example.fi", mode="off", now=NOW)
    for _ in range(2):
        queued = await service.do_enqueue(
            db, user_ids=[anu, kaisa, ville], message=message, now=NOW
        )
        assert queued == 2

    async def send(minutes: float) -> int:
        return await service.do_send_due(
            db,
            smtp_url=url,
            sender="Kuulolla <noreply@example.fi>",
            digest_every=timedelta(minutes=60),
            now=NOW + timedelta(minutes=minutes),
        )

    assert await send(1) == 2
    assert await send(2) == 0
    assert [m["To"] for m in inbox.kept] == ["anu@example.fi", "anu@example.fi"]
    assert inbox.kept[0]["Subject"] == "Aihe fi"
    assert await send(61) == 1
    digest = inbox.kept[-1]
    assert digest["To"] == "kaisa@example.fi"
    assert digest.get_content().count("Kriisihälytys odottaa") == 2


@pytest.mark.asyncio
async def test_without_smtp_nothing_is_sent_and_nothing_breaks(db: Database) -> None:
    """With no SMTP address the outbox keeps its messages and the round reports none."""
    anu = await add_person(db, "anu")
    await service.do_set_choice(db, user_id=anu, email="anu@example.fi", mode="immediate", now=NOW)
    await service.do_enqueue(db, user_ids=[anu], message=message, now=NOW)
    assert (
        await service.do_send_due(
            db, smtp_url="", sender="x@example.fi", digest_every=timedelta(hours=1), now=NOW
        )
        == 0
    )


@pytest.mark.asyncio
async def test_a_thing_is_told_once_and_only_to_who_chose_its_kind(db: Database) -> None:
    """An event with a key is queued for the people who chose its kind, once each however
    many rounds see it; those who chose only escalations get nothing."""
    anu = await add_person(db, "anu")
    kaisa = await add_person(db, "kaisa")
    await service.do_set_choice(
        db,
        user_id=anu,
        email="anu@example.fi",
        mode="immediate",
        events=["escalation", "queue"],
        now=NOW,
    )
    await service.do_set_choice(db, user_id=kaisa, email="kaisa@example.fi", mode="digest", now=NOW)
    queued = [
        await service.do_enqueue(
            db, user_ids=[anu, kaisa], message=message, event="queue", key="queue-7", now=NOW
        )
        for _ in range(3)
    ]
    assert queued == [1, 0, 0]
    assert (await service.get_choice(db, user_id=anu)).events == {"escalation", "queue"}


def test_choosing_e_mail_of_nothing_or_of_an_unknown_kind_is_refused() -> None:
    """E-mail on with no kind chosen, or a kind that does not exist, is refused."""
    for events in ([], ["escalation", "gossip"]):
        with pytest.raises(BadRequest) as refused:
            service.check_choice(email="anu@example.fi", mode="immediate", events=events)
        assert refused.value.code == "bad_events"
