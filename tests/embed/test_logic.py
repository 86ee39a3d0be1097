"""Which sites may embed the chat: origins as browsers write them, nothing wider."""

from __future__ import annotations

import pytest

from kuulolla.core.errors import BadRequest
from kuulolla.embed import logic


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("https://www.example.fi", "https://www.example.fi"),
        ("  https://WWW.Example.FI/  ", "https://www.example.fi"),
        ("https://www.example.fi:443", "https://www.example.fi"),
        ("https://www.example.fi:8443", "https://www.example.fi:8443"),
        ("HTTPS://tuki.example.fi", "https://tuki.example.fi"),
        ("https://mielenterveysseura.fi", "https://mielenterveysseura.fi"),
        ("https://sydänliitto.fi", "https://xn--sydnliitto-s5a.fi"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("http://127.0.0.1:5000/", "http://127.0.0.1:5000"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("http://localhost:80", "http://localhost"),
    ],
)
def test_origins_are_written_as_browsers_send_them(text: str, origin: str) -> None:
    """An accepted address becomes its origin: lower case, no default port, ASCII host."""
    assert logic.normalise_origin(text) == origin


@pytest.mark.parametrize(
    "text",
    [
        "",
        "www.example.fi",
        "http://www.example.fi",
        "https://www.example.fi/chat",
        "https://www.example.fi/?a=1",
        "https://www.example.fi/#top",
        "https://user:pass@www.example.fi",
        "https://*.example.fi",
        "https://www.example.fi https://evil.example",
        "https://www.example.fi;script-src *",
        "https://'self'",
        "https://example",
        "https://exa_mple.fi",
        "https://www.example.fi:99999",
        "ftp://www.example.fi",
        "javascript:alert(1)",
        "https://" + "a" * 250 + ".fi",
    ],
)
def test_anything_but_an_origin_is_refused(text: str) -> None:
    """Paths, queries, wildcards, credentials, plain http and CSP syntax are refused."""
    with pytest.raises(logic.OriginInvalid):
        logic.normalise_origin(text)


def test_plain_http_is_refused_with_its_own_reason() -> None:
    """A public site on plain http is told that https is needed."""
    with pytest.raises(logic.OriginInvalid) as caught:
        logic.normalise_origin("http://www.example.fi")
    assert "https" in caught.value.translated("en")


def test_a_listed_site_or_one_too_many_is_refused() -> None:
    """The same site twice, or more than the maximum, is refused."""
    with pytest.raises(BadRequest) as twice:
        logic.check_new_origin("https://a.fi", existing=["https://a.fi"])
    assert twice.value.code == "origin_listed"
    full = [f"https://s{i}.fi" for i in range(logic.MAX_ORIGINS)]
    with pytest.raises(BadRequest) as many:
        logic.check_new_origin("https://new.fi", existing=full)
    assert many.value.code == "too_many_origins"
    logic.check_new_origin("https://new.fi", existing=full[:-1])


@pytest.mark.parametrize(
    ("origins", "sources"),
    [
        ([], "'none'"),
        (["https://b.fi", "https://a.fi", "https://b.fi"], "https://a.fi https://b.fi"),
    ],
)
def test_frame_ancestors_lists_exactly_the_sites(origins: list[str], sources: str) -> None:
    """frame-ancestors names each listed site once, and nobody when none is listed."""
    assert logic.frame_ancestors(origins) == sources
