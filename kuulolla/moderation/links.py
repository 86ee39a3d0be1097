"""Links in a message and what a room does with them.

A room either allows links, holds messages with links for a moderator, or blocks
them; domains on the room's allow list (an organisation's own site, the national
crisis services) always pass. A domain on the list also allows its subdomains:
"mieli.fi" allows "www.mieli.fi" and "kriisipuhelin.mieli.fi".

Links are found with a scheme ("https://…"), with "www.", or as a bare domain
("nuortenlinkki.fi/apua") when the last label is a common top-level domain written
in lowercase, so "ok.Se" at a missing space after a full stop is not taken for
Sweden. E-mail
addresses are masked as personal data before links are looked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

LinkMode = Literal["allow", "hold", "block"]

_TLDS = (
    "fi|com|net|org|se|ax|ee|no|dk|de|uk|eu|info|io|me|nu|co|tv|gg|ly|app|xyz|online|site"
    "|ru|to|cc|link|live|biz|gl|be|us|ai|gd|is|ws|page|shop|club|chat"
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'⟦⟧]+"
    rf"|(?<![@\w.\-/])(?:[a-z0-9](?:[a-z0-9\-]{{0,61}}[a-z0-9])?\.)+(?:{_TLDS})"
    r"(?![\w\-@])(?:[/?#][^\s<>\"'⟦⟧]*)?",
    re.IGNORECASE,
)
# Every link has "://" or a dot before a letter (its top-level domain, or "www."): a
# cheap test that spares the full pattern on text with only decimals or full stops.
_LINKISH = re.compile(r"://|\.[^\W\d_]")
_HOST = re.compile(r"^(?:https?://)?([^/?#:\s]+)", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


@dataclass(frozen=True, slots=True)
class Link:
    start: int
    end: int
    host: str  # lowercased, without "www."


@dataclass(frozen=True, slots=True)
class LinkPolicy:
    """``mode`` applies to links whose host is not on ``allowed`` (domains, lowercase)."""

    mode: LinkMode = "hold"
    allowed: frozenset[str] = field(default_factory=frozenset)

    def permits(self, host: str) -> bool:
        """Whether ``host`` is on the allow list (itself or a subdomain of an entry)."""
        if host in self.allowed:
            return True
        parts = host.split(".")
        return any(".".join(parts[i:]) in self.allowed for i in range(1, len(parts) - 1))


def find_links(text: str) -> list[Link]:
    """Links in ``text`` with their hosts; trailing punctuation is not part of a link."""
    if "." not in text or _LINKISH.search(text) is None:
        return []
    out = []
    for match in _URL.finditer(text):
        written = match.group().rstrip(_TRAILING)
        host_match = _HOST.match(written)
        if host_match is None:
            continue
        written_host = host_match.group(1).rstrip(".")
        # A bare domain must end in a lowercase top-level domain: "Kela.fi" is a link,
        # "ok.Se" is a missing space after a full stop.
        bare = not written.lower().startswith(("http://", "https://", "www."))
        if bare and not written_host.rsplit(".", 1)[-1].islower():
            continue
        host = written_host.lower()
        if host.startswith("www."):
            host = host[4:]
        if "." not in host:
            continue
        out.append(Link(match.start(), match.start() + len(written), host))
    return out


def check_links(text: str, policy: LinkPolicy) -> tuple[LinkMode, list[Link]]:
    """What the room does with the links of ``text``: "allow" when there are none or
    all are permitted, else the room's mode; with the links that are not permitted."""
    if policy.mode == "allow":
        return "allow", []
    refused = [link for link in find_links(text) if not policy.permits(link.host)]
    return (policy.mode if refused else "allow"), refused
