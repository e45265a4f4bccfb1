"""What is stored of a child (pseudonyms, sectors) and the distinct-value columns the checks work on."""
import hashlib
import hmac

import numpy as np
import pandas as pd

from dashboard.ingest.ssda903.columns import Distinct, strip_joined
from dashboard.ingest.ssda903.degrade import Pseudonyms, pseudonymise


def test_pseudonyms_are_hmac_sha256_of_la_and_id_whatever_the_key_length():
    ids = pd.Series(["C1", "12345", "", "C1", "x" * 200, "é-ü"], dtype=object)
    for key in (b"k", b"k" * 64, b"a longer key than SHA-256's 64-byte block, so it is hashed first" * 2):
        expected = [hmac.new(key, f"E09000022:{child}".encode(), hashlib.sha256).hexdigest()[:16] for child in ids]
        assert pseudonymise(ids, "E09000022", key).tolist() == expected
        assert Pseudonyms("E09000022", key)(ids).tolist() == expected
        assert Pseudonyms("E09000022", key)(ids, Distinct.of(ids)).tolist() == expected
    assert pseudonymise(ids, "E09000023", b"k").iloc[0] != pseudonymise(ids, "E09000022", b"k").iloc[0]


def test_distinct_keeps_missing_cells_where_they_first_appear():
    cells = ["B", None, "A", "B", np.nan, "C"]
    d = Distinct.of(cells)
    assert d.values[:2].tolist() == ["B", d.values[1]] and pd.isna(d.values[1])
    assert d.values[2:].tolist() == ["A", "C"]
    assert d.positions.tolist() == [0, 1, 2, 0, 1, 3]
    assert d.filled("").cells().tolist() == ["B", "", "A", "B", "", "C"]


def test_mapped_on_the_joined_values_gives_what_each_value_gives():
    cells = ["se15 4rg", " u4", "U4 ", "u4", "", "a\u00a0", "\tb", "c\x1f", "Ünï", "ß"]
    d = Distinct.of(cells)
    assert d.mapped(str.upper, str.upper).cells().tolist() == [c.upper() for c in cells]
    assert d.mapped(str.strip, strip_joined).cells().tolist() == [c.strip() for c in cells]
    plain = Distinct.of(["A", "B", "A"])
    assert plain.mapped(str.strip, strip_joined) is plain and plain.mapped(str.upper, str.upper) is plain
    with_missing = Distinct.of(["a", None, " b"])
    assert with_missing.mapped(str.strip, strip_joined).cells()[[0, 2]].tolist() == ["a", "b"]


def test_a_social_workers_id_is_stored_pseudonymised_never_as_given():
    from dashboard.dashboards.sufficiency.returns import store_rows
    from dashboard.ingest.ssda903.rules import Return
    from dashboard.store.ssda903 import STORED, TABLES
    sw = pd.DataFrame({"CHILD": ["C1", "C2", "C3"], "DOB": ["01/05/2010"] * 3, "SW_ID": ["SW1234", "SW1234", "SW9"],
                       "SW_DECOM": ["01/06/2024"] * 3, "SW_DEC": ["", "", ""], "SW_REASON": ["", "", ""]})
    header = pd.DataFrame({c: [""] * 3 for c in TABLES["Header"].columns})
    header[["CHILD", "SEX", "DOB", "ETHNIC"]] = [[f"C{i}", "M", "01/05/2010", "WBRI"] for i in (1, 2, 3)]
    empty = {name: pd.DataFrame({c: pd.Series(dtype=object) for c in TABLES[name].columns}) for name in ("Episodes", "UASC")}
    stored = store_rows(Return({"Header": header, "SWEpisodes": sw, **empty}, 2025, "E09000022"), "E09000022", b"key")
    ids = stored[STORED["SWEpisodes"].name]["sw_id"].tolist()
    assert ids[0] == ids[1] == hmac.new(b"key", b"E09000022:SW_ID:SW1234", hashlib.sha256).hexdigest()[:16]
    assert ids[2] != ids[0] and not {"SW1234", "SW9"} & set(ids)
    assert ids[0] not in stored[STORED["SWEpisodes"].name]["child"].tolist()
