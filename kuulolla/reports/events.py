"""Moved to :mod:`kuulolla.core.events` (recording is plumbing every domain calls);
these names stay until the modules still importing them from here (chat/endpoint.py,
moderation/live.py, moderation/service.py) are changed."""

from kuulolla.core.events import *  # noqa: F403
from kuulolla.core.events import CODE, Kind, add  # noqa: F401
