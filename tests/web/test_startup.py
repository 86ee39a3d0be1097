"""What the server does when it starts: interpreter tuning and loading the screening
resources before the first visitor."""

from __future__ import annotations

import sys

import pytest
from starlette.testclient import TestClient

from kuulolla.core import finnish
from kuulolla.moderation import crisis_model
from kuulolla.web.app import create_app
from tests.conftest import make_settings


def test_server_applies_the_switch_interval(sqlite_url: str) -> None:
    """The running server hands the GIL over at the configured switch interval."""
    before = sys.getswitchinterval()
    try:
        with TestClient(create_app(make_settings(sqlite_url, switch_interval=0.0007))):
            assert sys.getswitchinterval() == pytest.approx(0.0007)
    finally:
        sys.setswitchinterval(before)


def test_server_loads_the_screening_resources_at_start(sqlite_url: str) -> None:
    """Voikko and the crisis model are loaded when the server starts, not at the first message."""
    finnish.analyser.cache_clear()
    crisis_model.model.cache_clear()
    with TestClient(create_app(make_settings(sqlite_url))):
        assert finnish.analyser.cache_info().currsize == 1
        assert crisis_model.model.cache_info().currsize == 1
