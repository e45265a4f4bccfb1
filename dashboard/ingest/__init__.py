"""Data in: templates, reading, validation in two stages, all-or-nothing versioned loads."""
