"""TOTP secrets at rest: encrypted under a key from MFA_KEY (or SECRET_KEY), never stored as they are; a key can be
rotated (newest first, older ones still decrypt); a key that cannot decrypt says what to do."""
import pytest

from dashboard.auth import mfa


@pytest.fixture(autouse=True)
def restore_key():
    before = mfa._cipher
    yield
    mfa._cipher = before


def test_a_sealed_secret_does_not_hold_the_secret_and_opens_with_the_same_key():
    mfa.use_keys("one key")
    secret = mfa.new_secret()
    stored = mfa.seal(secret)
    assert stored.startswith("fernet:") and secret not in stored and len(stored) <= 255
    assert mfa.seal(secret) != stored   # a fresh random IV each time: equal secrets do not look equal
    assert mfa.unseal(stored) == secret


def test_a_plain_secret_stored_before_encryption_is_read_as_it_is():
    mfa.use_keys("one key")
    assert mfa.unseal("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP") == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_rotating_the_key_keeps_old_secrets_readable_and_seals_new_ones_with_the_new_key():
    mfa.use_keys("old key")
    old = mfa.seal("JBSWY3DPEHPK3PXP")
    mfa.use_keys("new key, old key")
    assert mfa.unseal(old) == "JBSWY3DPEHPK3PXP"
    new = mfa.seal("JBSWY3DPEHPK3PXP")
    mfa.use_keys("new key")
    assert mfa.unseal(new) == "JBSWY3DPEHPK3PXP"
    with pytest.raises(mfa.SecretUnreadable, match="reset-mfa"):
        mfa.unseal(old)


def test_the_key_is_not_the_secret_key_itself():
    """Derived under its own label: the Fernet key is not the session-signing key's bytes."""
    import base64
    mfa.use_keys("k" * 32)
    assert all(base64.urlsafe_b64decode(base64.urlsafe_b64encode(b"k" * 32)) != f._signing_key + f._encryption_key
               for f in mfa._cipher._fernets)


def test_no_key_is_refused():
    with pytest.raises(ValueError, match="MFA_KEY or SECRET_KEY"):
        mfa.use_keys(" , ")
