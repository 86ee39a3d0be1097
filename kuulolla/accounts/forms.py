"""Moved to :mod:`kuulolla.web.forms`; these names stay until the branches that import
them from here have moved."""

from kuulolla.web.forms import *  # noqa: F403
