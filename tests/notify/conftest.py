from tests.accounts.conftest import env  # noqa: F401  (fixture)
