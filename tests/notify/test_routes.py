"""The notifications page: a person sets their own address and choice; a bad address
is refused next to its field in Finnish and nothing changes."""

from __future__ import annotations

from tests.accounts.conftest import Env, post, sign_in

PAGE = "/account/notifications"


def test_choice_saved_and_bad_address_refused(env: Env) -> None:
    """Saving "at once" with an address and a kind of event keeps them; a malformed
    address is refused with the translated reason and the saved choice stays."""
    sign_in(env.client, "coordinator-alfa")
    page = env.client.get(PAGE)
    assert page.status_code == 200
    assert "Sähköposti-ilmoitukset" in page.text
    done = post(
        env.client,
        PAGE,
        {"email": "kaisa@example.fi", "mode": "immediate", "events": "queue"},
        page=PAGE,
    )
    assert done.status_code == 303
    refused = post(
        env.client, PAGE, {"email": "ei osoite", "mode": "digest", "events": "queue"}, page=PAGE
    )
    assert refused.status_code == 400
    assert "Kirjoita sähköpostiosoite" in refused.text
    again = env.client.get(PAGE).text
    assert 'value="kaisa@example.fi"' in again
    assert 'id="mode-immediate" type="radio" name="mode" value="immediate" checked' in again
    assert 'id="event-queue" type="checkbox" name="events" value="queue" checked' in again
    assert 'value="escalation" checked' not in again
