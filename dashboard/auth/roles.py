"""Roles and what they may do. A page states its roles once; the guard checks them on the server."""
from __future__ import annotations

MEMBER, COMMISSIONER, UPLOADER, APPROVER, ADMIN = "member", "commissioner", "uploader", "approver", "admin"
ROLES = (MEMBER, COMMISSIONER, UPLOADER, APPROVER, ADMIN)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    return role


def role_allows(role: str, allowed: tuple[str, ...] | None) -> bool:
    """`allowed` None means every signed-in member."""
    return allowed is None or role == ADMIN or role in allowed
