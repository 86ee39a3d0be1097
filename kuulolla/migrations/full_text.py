"""Database objects that the models cannot declare, and the filter that keeps them out
of Alembic's comparison of models and schema (env.py and tests/test_migrations.py)."""

from __future__ import annotations

# Full-text index objects that the models cannot declare (created by raw SQL in the
# migrations): FTS5 tables and their shadow tables on SQLite, the tsvector column and
# its GIN index on PostgreSQL.
UNDECLARED_PREFIXES = ("question_fts", "directory_fts")
UNDECLARED_COLUMNS = {("question_search", "vector"), ("directory_search", "vector")}
UNDECLARED_INDEXES = {"ix_question_search_vector", "ix_directory_search_vector"}


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave the undeclared full-text objects out of autogenerate comparisons."""
    if not reflected or name is None:
        return True
    if type_ == "table" and name.startswith(UNDECLARED_PREFIXES):
        return False
    if type_ == "index" and name in UNDECLARED_INDEXES:
        return False
    if type_ == "column":
        table = getattr(getattr(obj, "table", None), "name", None)
        if (table, name) in UNDECLARED_COLUMNS:
            return False
    return True
