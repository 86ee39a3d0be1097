"""Moved to :mod:`kuulolla.web.access`; these names stay until the modules still
importing them from here (queue/routes.py) are changed."""

from kuulolla.web.access import *  # noqa: F403
from kuulolla.web.access import csrf_token, public  # noqa: F401
