"""Users, roles, LA scope, sign-in and the server-side guard."""
