"""Lighthouse's SEO, accessibility and best-practice audits on the pages people reach
from a search engine (tests/e2e/lighthouse.py), on the walks' shared server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import unavailable
from tests.e2e import lighthouse

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_search_pages_meet_the_lighthouse_bar(site: Any) -> None:
    """The front page, an answer page and the archive list score SEO 100, accessibility
    100 and best practices at least 96 in Lighthouse."""
    if what := lighthouse.missing():
        unavailable(what)
    paths = ["/", f"/questions/{site.samples['question']}", "/questions"]
    results = lighthouse.audit(site.server.http, paths)
    assert [r["path"] for r in results] == paths
    assert [line for r in results for line in lighthouse.shortfalls(r)] == []
