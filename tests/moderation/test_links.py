"""Links: finding them, and what a room's link policy does with them."""

from __future__ import annotations

import pytest

from kuulolla.moderation.links import LinkPolicy, check_links, find_links


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        ("katso https://www.mieli.fi/apua.", ["mieli.fi"]),
        ("http://example.com/a?b=c#d ja www.nuortenlinkki.fi", ["example.com", "nuortenlinkki.fi"]),
        ("tsekkaa nuortenlinkki.fi/apua", ["nuortenlinkki.fi"]),
        ("discord.gg/abcd", ["discord.gg"]),
        ("(linkki: https://kela.fi)", ["kela.fi"]),
        ("Hei.Mitä kuuluu?", []),  # a missing space after a full stop
        ("Se on ok.Se oli kivaa", []),
        ("esim. 3.5 tuntia", []),
        ("aino@gmail.com", []),  # an e-mail address is personal data, not a link
        ("ei linkkejä tässä", []),
    ],
)
def test_links_are_found_with_their_hosts(text: str, hosts: list[str]) -> None:
    """Links with a scheme, www. or a known top-level domain are found."""
    assert [link.host for link in find_links(text)] == hosts


@pytest.mark.parametrize(
    ("host", "permitted"),
    [
        ("mieli.fi", True),
        ("kriisipuhelin.mieli.fi", True),
        ("a.b.mieli.fi", True),
        ("evilmieli.fi", False),
        ("mieli.fi.evil.com", False),
        ("fi", False),
    ],
)
def test_allow_list_permits_domains_and_subdomains(host: str, permitted: bool) -> None:
    """An allowed domain also allows its subdomains, and nothing else."""
    assert LinkPolicy("block", frozenset({"mieli.fi"})).permits(host) is permitted


@pytest.mark.parametrize(
    ("mode", "text", "outcome", "refused"),
    [
        ("allow", "https://evil.example.com", "allow", []),
        ("hold", "https://evil.example.com", "hold", ["evil.example.com"]),
        ("block", "https://evil.example.com", "block", ["evil.example.com"]),
        ("block", "https://mieli.fi ja www.kela.fi", "allow", []),
        ("hold", "https://mieli.fi ja bit.ly/xyz", "hold", ["bit.ly"]),
        ("block", "ei linkkiä", "allow", []),
    ],
)
def test_link_modes(mode: str, text: str, outcome: str, refused: list[str]) -> None:
    """Links off the allow list follow the room's mode; allowed ones always pass."""
    policy = LinkPolicy(mode, frozenset({"mieli.fi", "kela.fi"}))  # type: ignore[arg-type]
    result, links = check_links(text, policy)
    assert (result, [link.host for link in links]) == (outcome, refused)
