"""The published statistics' tables: filled by the import (published/store.py), read by the loader (loader/published.py)."""
from __future__ import annotations

from sqlalchemy import Column, DateTime, Float, Integer, String, Table, Text, UniqueConstraint

from dashboard.store.schema import metadata

published_value = Table(
    "published_value", metadata,
    Column("indicator", String(64), primary_key=True),
    Column("period", String(32), primary_key=True),
    Column("area_code", String(40), primary_key=True),     # ONS code; joint returns keep both: "E09000021 / E09000027"
    Column("area_name", String(200), nullable=False),
    Column("area_level", String(40), nullable=False),      # Local authority, Regional, National
    Column("dfe_code", String(20), nullable=False, default=""),
    Column("value", Float, nullable=True),                 # NULL when the publication gives a marker instead
    Column("marker", String(10), nullable=True),           # c, k, x, z, low, - as published
    Column("file_id", Integer, nullable=False),
)

published_indicator = Table(
    "published_indicator", metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("unit", String(40), nullable=False),
    Column("polarity", String(10), nullable=False),
    Column("decimal_places", Integer, nullable=False),
    Column("source", String(200), nullable=False),
    Column("period_note", String(60), nullable=False),
    Column("definition", Text, nullable=False),
)

published_file = Table(
    "published_file", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("format", String(60), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(254), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_kept", Integer, nullable=False),
    UniqueConstraint("sha256", name="uq_published_file_sha256"),
)

published_area = Table(   # DfE 3-digit numbers to ONS codes, learnt from the files (statistical neighbours use DfE numbers)
    "published_area", metadata,
    Column("dfe_code", String(20), primary_key=True),
    Column("ons_code", String(40), nullable=False),
    Column("name", String(200), nullable=False),
)

statistical_neighbour = Table(
    "statistical_neighbour", metadata,
    Column("dfe_code", String(20), primary_key=True),
    Column("rank", Integer, primary_key=True),
    Column("neighbour_dfe_code", String(20), nullable=False),
    Column("closeness", String(40), nullable=False),
)

published_import = Table(   # which page importer took which file (by checksum): the same file again changes nothing
    "published_import", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("route", String(60), primary_key=True),
    Column("file_name", String(255), nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(254), nullable=False),
)
