"""Passwords: argon2id hashes (argon2-cffi's RFC 9106 low-memory profile) and the password policy.

Policy (NCSC and OWASP ASVS 2.1): at least 12 characters, no composition rules, not a common
password, not the person's own email.
"""
from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dashboard.config import DATA_DIR

_hasher = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4
MIN_LENGTH = 12
MAX_LENGTH = 256  # long enough for pass-phrases, short enough that hashing stays cheap


# The rules in words, shown on every form and command that sets a password, and in the README.
PASSWORD_RULES = (f"Passwords need at least {MIN_LENGTH} characters (a few words together works well) and at most "
                  f"{MAX_LENGTH}; a common password is refused, and so is one containing the part of your email before "
                  "the @.")


class PasswordRejected(ValueError):
    """The password breaks the policy; the message says why, in plain English."""


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = (DATA_DIR / "common_passwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problems(password: str, email: str = "") -> list[str]:
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters (a few words together works well).")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    if password.lower() in common_passwords():
        problems.append("That password is on a list of common passwords; choose another.")
    local = email.split("@")[0].lower()
    if local and len(local) >= 4 and local in password.lower():
        problems.append("Don't use your email address in your password.")
    return problems


def hash_password(password: str, email: str = "") -> str:
    problems = password_problems(password, email)
    if problems:
        raise PasswordRejected(" ".join(problems))
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password[:MAX_LENGTH * 4])
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A random password for generated accounts: 20 URL-safe characters."""
    return secrets.token_urlsafe(15)


# A hash of a random password, so that an unknown email costs the same time as a wrong password.
DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
