"""Every HTTP route of staff accounts (added to web/app.py next to the visitor pages)."""

from __future__ import annotations

from kuulolla.accounts import (
    routes_account,
    routes_admin,
    routes_audit,
    routes_organisation,
    routes_people,
    routes_qualifications,
    routes_signin,
)

ROUTES = [
    *routes_signin.ROUTES,
    *routes_account.ROUTES,
    *routes_people.ROUTES,
    *routes_qualifications.ROUTES,
    *routes_organisation.ROUTES,
    *routes_admin.ROUTES,
    *routes_audit.ROUTES,
]
