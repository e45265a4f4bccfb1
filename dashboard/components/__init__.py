"""Shared layout pieces: the app shell, notes, coming-soon cards, download buttons."""
