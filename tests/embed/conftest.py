"""Fixtures for the embedding pages: the two-organisation world of the account tests."""

from tests.accounts.conftest import env  # noqa: F401 (fixture)
