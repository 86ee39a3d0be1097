"""The accounts world (two organisations, people in every role) for privacy pages."""

from __future__ import annotations

from tests.accounts.conftest import env  # noqa: F401  (fixture)
