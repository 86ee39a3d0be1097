"""Who may do what: roles, permissions and the principal, as pure rules.

Every capability of the service is a :class:`Permission` with a *scope*:

- ``"signed_in"``: any active staff person (their own profile, say);
- ``"organisation"``: granted by a role in the organisation that owns the object
  (a room, a queue topic, a shift, a person's membership);
- ``"platform"``: only platform admins.

Admins hold every permission everywhere. Roles grant organisation-scoped
permissions only inside their own organisation: a coordinator of one organisation is
nobody in another. Domains declare their permissions in their own module with
:func:`define` and routes declare the permission they need (web/access.py), so
the authorization matrix test is generated from the route table.

Nothing here does I/O; :func:`allows` is the single decision every check goes through.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from kuulolla.core.i18n import N_


class Role(StrEnum):
    VOLUNTEER = "volunteer"
    PROFESSIONAL = "professional"
    COORDINATOR = "coordinator"


ROLES: tuple[Role, ...] = (Role.VOLUNTEER, Role.PROFESSIONAL, Role.COORDINATOR)
# The chat role label of a platform admin who has no role in a room's organisation.
ADMIN_CHAT_ROLE = "admin"

ROLE_LABELS: dict[str, str] = {
    Role.VOLUNTEER: N_("Volunteer"),
    Role.PROFESSIONAL: N_("Professional"),
    Role.COORDINATOR: N_("Coordinator"),
    ADMIN_CHAT_ROLE: N_("Admin"),
}

# Rank for "the highest role" (shown when no organisation is in question).
_RANK = {Role.VOLUNTEER: 1, Role.PROFESSIONAL: 2, Role.COORDINATOR: 3}

Scope = Literal["signed_in", "organisation", "platform"]


@dataclass(frozen=True, slots=True)
class Permission:
    """A named capability. Create with :func:`define`, never directly."""

    name: str
    scope: Scope
    roles: frozenset[Role] = frozenset()
    description: str = ""

    def __str__(self) -> str:
        return self.name


_REGISTRY: dict[str, Permission] = {}


def define(
    name: str, *, scope: Scope, roles: frozenset[Role] | set[Role] = frozenset(), description: str
) -> Permission:
    """Declare a permission. ``roles`` (organisation scope only) are the roles that hold
    it inside their own organisation; admins hold every permission. Names are unique."""
    if name in _REGISTRY:
        raise ValueError(f"permission {name!r} is defined twice")
    if scope != "organisation" and roles:
        raise ValueError(f"permission {name!r}: only organisation-scoped permissions take roles")
    if scope == "organisation" and not roles:
        raise ValueError(f"permission {name!r}: an organisation permission needs roles")
    permission = Permission(name, scope, frozenset(roles), description)
    _REGISTRY[name] = permission
    return permission


def all_permissions() -> list[Permission]:
    return list(_REGISTRY.values())


STAFF_ROLES = frozenset(ROLES)
COORDINATORS = frozenset({Role.COORDINATOR})

# ------------------------------------------------------------------ accounts' own

OWN_ACCOUNT = define(
    "own_account", scope="signed_in", description="see and change one's own profile and sign-in"
)
CHAT_AS_STAFF = define(
    "chat_as_staff",
    scope="organisation",
    roles=STAFF_ROLES,
    description="take part in the organisation's rooms with a staff badge",
)
VIEW_PEOPLE = define(
    "view_people",
    scope="organisation",
    roles=COORDINATORS,
    description="see the organisation's people, roles and qualifications",
)
MANAGE_PEOPLE = define(
    "manage_people",
    scope="organisation",
    roles=COORDINATORS,
    description="invite people, change roles, reset passwords, deactivate",
)
MANAGE_QUALIFICATIONS = define(
    "manage_qualifications",
    scope="organisation",
    roles=COORDINATORS,
    description="define trainings and record who has completed them",
)
EDIT_ORGANISATION = define(
    "edit_organisation",
    scope="organisation",
    roles=COORDINATORS,
    description="change the organisation's contact, crisis numbers and sign-in rules",
)
VIEW_AUDIT = define(
    "view_audit",
    scope="organisation",
    roles=COORDINATORS,
    description="read the account events of the organisation's people",
)
MANAGE_ORGANISATIONS = define(
    "manage_organisations", scope="platform", description="create and list organisations"
)
MANAGE_STAFF = define(
    "manage_staff",
    scope="platform",
    description="see every staff account, grant admin rights, add people to organisations",
)
VIEW_ALL_AUDIT = define("view_all_audit", scope="platform", description="read every account event")


# ------------------------------------------------------------------ principal


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is making a request: anonymous, or a signed-in staff person.

    ``roles`` maps organisation ids to the person's role there. A person who must set
    up a second factor before working (``totp_setup_required``) gets no roles and no
    admin rights until they have: they may only reach their own account.
    """

    user_id: int | None = None
    username: str = ""
    display_name: str = ""
    is_admin: bool = False
    roles: Mapping[int, Role] = field(default_factory=dict)
    session_id: int | None = None
    totp_enabled: bool = False
    totp_setup_required: bool = False

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    def role_in(self, organisation_id: int | None) -> Role | None:
        if organisation_id is None:
            return None
        return self.roles.get(organisation_id)

    @property
    def highest_role(self) -> Role | None:
        if not self.roles:
            return None
        return max(self.roles.values(), key=lambda r: _RANK[r])

    def coordinates(self) -> list[int]:
        return [org for org, role in self.roles.items() if role == Role.COORDINATOR]


ANONYMOUS = Principal()


def allows(principal: Principal, permission: Permission, organisation_id: int | None) -> bool:
    """Whether ``principal`` holds ``permission`` for an object of ``organisation_id``
    (None for objects of no organisation). The one decision every check goes through."""
    if not principal.authenticated:
        return False
    if principal.is_admin:
        return True
    if permission.scope == "signed_in":
        return True
    if permission.scope == "platform":
        return False
    role = principal.role_in(organisation_id)
    return role is not None and role in permission.roles


def chat_role(principal: Principal, organisation_id: int) -> str | None:
    """The badge a staff person shows in a room of ``organisation_id``: their role
    there, "admin" for a platform admin without a role there, or None (not as staff)."""
    role = principal.role_in(organisation_id)
    if role is not None and allows(principal, CHAT_AS_STAFF, organisation_id):
        return str(role)
    if principal.is_admin:
        return ADMIN_CHAT_ROLE
    return None


def may_manage_account(
    actor: Principal, *, target_id: int, target_roles: Mapping[int, str], target_is_admin: bool
) -> bool:
    """Whether ``actor`` may act on the whole account of another person: reset their
    password or second factor, deactivate them, end their sessions.

    An admin may, for anyone. A coordinator may only for a person who is not an admin
    and all of whose memberships are in organisations the coordinator coordinates:
    otherwise a coordinator of one organisation could take over an account that
    holds rights in another.
    """
    if not actor.authenticated or target_id == actor.user_id:
        return False
    if actor.is_admin:
        return True
    if target_is_admin or not target_roles:
        return False
    mine = set(actor.coordinates())
    return all(org in mine for org in target_roles)


def totp_required(
    *, is_admin: bool, admin_require: bool, roles: Mapping[int, str], org_rules: Mapping[int, str]
) -> bool:
    """Whether a person must use a second factor. ``org_rules`` maps organisation ids to
    their rule: "none", "coordinators" or "all"."""
    if is_admin and admin_require:
        return True
    for org, role in roles.items():
        rule = org_rules.get(org, "none")
        if rule == "all" or (rule == "coordinators" and role == Role.COORDINATOR):
            return True
    return False
