"""Roles and what they may do. A page states its roles once; the guard checks them on the server."""
from __future__ import annotations

MEMBER, COMMISSIONER, UPLOADER, APPROVER, ADMIN = "member", "commissioner", "uploader", "approver", "admin"
ROLES = (MEMBER, COMMISSIONER, UPLOADER, APPROVER, ADMIN)

# Each role's extra rights on top of member pages; admin has every right.
ROLE_LABELS = {
    MEMBER: "Member (read only)",
    COMMISSIONER: "Commissioner (adds the sufficiency tool)",
    UPLOADER: "Uploader (uploads for own LA)",
    APPROVER: "Approver (approves access requests for own LA)",
    ADMIN: "Administrator (everything, all LAs)",
}


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    return role


def role_allows(role: str, allowed: tuple[str, ...] | None) -> bool:
    """`allowed` None means every signed-in member."""
    return allowed is None or role == ADMIN or role in allowed
