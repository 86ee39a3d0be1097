"""Names shown for roles, rules and audit events (translated in templates with ``_()``)."""

from __future__ import annotations

from kuulolla.accounts.permissions import ROLE_LABELS, ROLES
from kuulolla.core.i18n import N_

__all__ = ["AUDIT_LABELS", "LINK_STATES", "ROLES", "ROLE_LABELS", "TOTP_RULES"]

TOTP_RULES = {
    "none": N_("Nobody is required to (everyone may turn it on)"),
    "coordinators": N_("Coordinators must use it"),
    "all": N_("Everyone in the organisation must use it"),
}

LINK_STATES = {
    "valid": N_("waiting to be used"),
    "used": N_("used"),
    "expired": N_("expired"),
}

AUDIT_LABELS = {
    "account_created": N_("Account created"),
    "admin_granted": N_("Admin rights granted"),
    "admin_revoked": N_("Admin rights removed"),
    "deactivated": N_("Account deactivated"),
    "embed_site_added": N_("Site allowed to embed the chat"),
    "embed_site_removed": N_("Site no longer allowed to embed the chat"),
    "invitation_accepted": N_("Invitation accepted, password set"),
    "invitation_created": N_("Invitation created"),
    "member_added": N_("Added to the organisation"),
    "member_removed": N_("Removed from the organisation"),
    "organisation_created": N_("Organisation created"),
    "organisation_updated": N_("Organisation details changed"),
    "password_changed": N_("Password changed"),
    "password_rehashed": N_("Password hash renewed"),
    "password_reset": N_("Password set with a reset link"),
    "person_erased": N_("Account erased by an admin"),
    "profile_updated": N_("Profile changed"),
    "qualification_defined": N_("Training added"),
    "qualification_deleted": N_("Training deleted"),
    "qualification_recorded": N_("Training recorded for a person"),
    "qualification_removed": N_("Training record removed"),
    "reactivated": N_("Account reactivated"),
    "recovery_code_used": N_("Recovery code used"),
    "recovery_codes_renewed": N_("Recovery codes renewed"),
    "reset_link_created": N_("Password reset link created"),
    "role_changed": N_("Role changed"),
    "second_factor_failed": N_("Wrong second-factor code"),
    "sessions_ended": N_("All sessions ended"),
    "sign_in": N_("Signed in"),
    "sign_in_failed": N_("Failed sign-in"),
    "sign_out": N_("Signed out"),
    "totp_disabled": N_("Second factor turned off"),
    "totp_enabled": N_("Second factor turned on"),
    "totp_reset": N_("Second factor removed by a coordinator or admin"),
}
