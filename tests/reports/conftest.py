"""The accounts' two-organisation application, for the report pages."""

from tests.accounts.conftest import env  # noqa: F401  (fixture)
