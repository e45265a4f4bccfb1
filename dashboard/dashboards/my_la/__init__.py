"""My LA at a glance: every indicator the app holds for one LA, exceptions first, data status and the digest."""
