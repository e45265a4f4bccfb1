"""Roles and what they may do. A page states its roles once; the guard checks them on the server.

An account may hold several roles (a commissioner who also uploads their LA's returns). What it may read follows its
most privileged role (`primary_role`: an administrator reads everything, a commissioner child-level data); what it may
open and do (the Upload page, approving access requests) follows any of its roles. The store keeps them as one text,
comma-separated in the order of ROLES.
"""
from __future__ import annotations

from collections.abc import Iterable

MEMBER, COMMISSIONER, UPLOADER, APPROVER, ADMIN = "member", "commissioner", "uploader", "approver", "admin"
ROLES = (MEMBER, COMMISSIONER, UPLOADER, APPROVER, ADMIN)
_MOST_PRIVILEGED_FIRST = (ADMIN, COMMISSIONER, APPROVER, UPLOADER, MEMBER)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    return role


def check_roles(roles: str | Iterable[str]) -> frozenset[str]:
    """The roles an account is given, checked: one or more known roles (a text of them comma-separated, or a list).
    An administrator holds every role, so `admin` stands alone; `member` (every account's reading) is left out beside
    another role."""
    names = roles.split(",") if isinstance(roles, str) else list(roles)
    if not all(isinstance(name, str) for name in names):
        raise ValueError(f"roles must be names; choose from {', '.join(ROLES)}")
    chosen = frozenset(check_role(name.strip().lower()) for name in names if name.strip())
    if not chosen:
        raise ValueError(f"choose at least one role: {', '.join(ROLES)}")
    if ADMIN in chosen:
        return frozenset({ADMIN})
    return chosen - {MEMBER} or frozenset({MEMBER})


def stored_roles(roles: Iterable[str]) -> str:
    """The roles as the store keeps them: comma-separated in the order of ROLES."""
    return ",".join(role for role in ROLES if role in set(roles))


def roles_of(stored: str | Iterable[str]) -> frozenset[str]:
    """The roles in a stored text (or already a collection of them); unknown names are dropped, never granted."""
    names = stored.split(",") if isinstance(stored, str) else stored
    return frozenset(name.strip() for name in names if name and name.strip() in ROLES)


def primary_role(roles: str | Iterable[str]) -> str:
    """The most privileged of the roles: what the account may read follows it."""
    held = roles_of(roles)
    return next((role for role in _MOST_PRIVILEGED_FIRST if role in held), MEMBER)


def describe_roles(roles: str | Iterable[str]) -> str:
    """For people: "commissioner and uploader"."""
    names = [role for role in ROLES if role in roles_of(roles)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def role_allows(roles: str | Iterable[str], allowed: tuple[str, ...] | None) -> bool:
    """May an account holding these roles (one role, a stored text or a collection) open what `allowed` names?
    `allowed` None means every signed-in member."""
    held = roles_of(roles)
    return allowed is None or ADMIN in held or bool(held & set(allowed))
