"""Every uploadable dataset but benchmarking (see specs.py): one spec each, reusing the datasets' own rules.

Agency pay and SSDA903 keep their checks where they were written (`validate_return`, `read_ssda903`):
this module only turns their messages into report findings. The members' returns behind Leadership
in Colour, Suspensions and SEND are declared here; a committed one replaces that LA's demo rows only.
"""
from __future__ import annotations

import re

import pandas as pd
from sqlalchemy import select

from dashboard.dashboards.agency_pay import returns as agency_pay
from dashboard.dashboards.leadership_in_colour import returns as linc
from dashboard.dashboards.send import returns as send
from dashboard.dashboards.sufficiency import returns as sufficiency
from dashboard.dashboards.suspensions import returns as suspensions
from dashboard.ingest.periods import ACADEMIC_YEAR, CENSUS_YEAR, COLLECTION_YEAR, SNAPSHOT
from dashboard.ingest.specs import BENCHMARKING, FIRST_DATA_ROW, ColumnSpec, DatasetSpec, Target

LA_COLUMN = ColumnSpec("la_code", "code", "ONS code of the LA making the return (E09000001-E09000033).", example="E09000022")


def _count(value):
    return None if pd.isna(value) else int(value)


# --- messages of the datasets' own validators -> (index, column, rule) ---------------------------------------

_MESSAGE = re.compile(r"^(?:(?P<file>[\w ]+), )?row (?P<row>\d+), column (?P<column>\w+): (?P<rest>.*)$", re.S)
_LEADING_VALUE = re.compile(r"^('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\S+) (?P<rule>.+)$", re.S)


def findings(messages: list[str], rows: dict[str, list[int]] | None = None, *, value_first: bool) -> list[tuple[int, str, str]]:
    """'row 7, column hourly_rate: '9' is outside 10-200' -> (5, 'hourly_rate', 'is outside 10-200').

    `rows` maps a message's file name to the index each of its rows came from (default: row - 2);
    `value_first`: the message repeats the value before the rule (the report shows the value anyway).
    """
    out = []
    for message in messages:
        match = _MESSAGE.match(message)
        if match is None:
            out.append((0, "", message))
            continue
        row = int(match["row"]) - FIRST_DATA_ROW
        index = rows[match["file"]][row] if rows and match["file"] in rows else row
        rule = match["rest"]
        if value_first:
            stripped = _LEADING_VALUE.match(rule)
            rule = stripped["rule"] if stripped else rule
        out.append((index, match["column"].lower(), rule))
    return out


# --- agency pay: one row per agency worker's assignment in the quarter ---------------------------------------

def _agency_pay_rows(_parsed, text: pd.DataFrame, la_code: str, period: str, _context):
    clean, problems = agency_pay.validate_return(text.reset_index(drop=True), pd.Timestamp(period).date())
    if problems:
        return None, findings(problems, value_first=True)
    records = [{**row, "la_code": la_code} for row in clean.astype(object).where(clean.notna(), None).to_dict("records")]
    summary = {"la_code": la_code, "period_end": pd.Timestamp(period).date(), "n_rows": len(records),
               "loaded_at": None, "loaded_by": None}
    return {agency_pay.assignment.name: records, agency_pay.returned.name: [summary]}, []


def _job_type_sheet(_catalogue) -> dict[str, pd.DataFrame]:
    return {"Job types": pd.DataFrame({"job_type": list(agency_pay.JOB_TYPES), "label": list(agency_pay.JOB_TYPES.values())})}


AGENCY_PAY = DatasetSpec(
    name=agency_pay.NAME,
    label="Agency pay quarterly return (London Pledge)",
    description="One row per agency social worker assignment in the quarter. A return with no rows means "
                "'returned: no agency workers'; an LA that has not uploaded shows 'no return'.",
    period_label="quarter end (YYYY-MM-DD)",
    columns=(LA_COLUMN,
             ColumnSpec("period_end", "date", "Last day of the financial quarter the return is for.", example="2026-09-30"),
             *(ColumnSpec(name, "text", meaning, allow_blank=True, required=name != "charge_rate",
                          example={"job_type": "social_worker", "hourly_rate": "38.50", "paye": "no", "hours_per_week": "37",
                                   "start_date": "2025-11-03", "legacy": "no", "charge_rate": "45.00"}[name])
               for name, meaning in agency_pay.RETURN_COLUMNS.items())),
    key=(),                     # two workers on the same terms are two rows, not a duplicate
    max_rows=5_000,
    targets=(Target(agency_pay.assignment, period_rows=lambda t, p: t.c.period_end == pd.Timestamp(p).date()),
             Target(agency_pay.returned, period_rows=lambda t, p: t.c.period_end == pd.Timestamp(p).date())),
    to_store=_agency_pay_rows,
    reference_sheets=_job_type_sheet,
)


# --- SSDA903: one row per episode, with the child's header details on each -----------------------------------

SSDA903_HEADER = ("child", "sex", "dob", "ethnic", "uasc", "duc")
_SSDA903_MEANING = {
    "child": "The child's id in your system (hashed with the LA code when stored; never shown).",
    "sex": "1 male, 2 female.", "dob": "Date of birth (dd/mm/yyyy or YYYY-MM-DD; stored to the month).",
    "ethnic": "DfE ethnicity code (see the Codes sheet).", "uasc": "1 if the child was an unaccompanied asylum-seeking child.",
    "duc": "Date UASC status ceased, if it has.", "decom": "Date the episode began.", "rne": "Reason for new episode.",
    "ls": "Legal status.", "cin": "Category of need.", "place": "Placement type.", "place_provider": "Placement provider.",
    "dec": "Date the episode ceased (blank if open).", "rec": "Reason the episode ceased (with DEC).",
    "reason_place_change": "Reason for placement change.", "home_post": "Postcode of the child's home (cut to its sector).",
    "pl_post": "Postcode of the placement (cut to its sector).", "urn": "Ofsted URN of the provider, if it has one.",
}
_SSDA903_OPTIONAL = {"uasc", "duc", "dec", "rec", "reason_place_change", "home_post", "pl_post", "urn"}


def _ssda903_rows(_parsed, text: pd.DataFrame, la_code: str, _period: str, _context):
    """Split the file into SSDA903's header and episodes tables and run `read_ssda903`'s checks on them.

    A child's header details must be the same on each of its rows; its first row is the header row."""
    text = text.reset_index(drop=True).copy()
    for column in _SSDA903_OPTIONAL & set(SSDA903_HEADER):
        if column not in text.columns:
            text[column] = ""
    child = text["child"].fillna("").astype(str).str.strip()
    first = ~child.duplicated()
    header_index = list(text.index[first])
    problems = []
    firsts = text.loc[first, list(SSDA903_HEADER)].set_index(child[first])
    first_row = pd.Series(header_index, index=child[first])
    for column in SSDA903_HEADER[1:]:
        expected = child.map(firsts[column].fillna("").astype(str).str.strip())
        differs = ~first & (text[column].fillna("").astype(str).str.strip() != expected)
        problems += [(i, column, f"differs from row {first_row[child[i]] + FIRST_DATA_ROW} for the same child")
                     for i in text.index[differs]]
    upper = text.rename(columns=str.upper)
    try:
        tables = sufficiency.read_ssda903(la_code, upper.loc[first].reset_index(drop=True), upper,
                                          header_name="header", episodes_name="episodes")
    except sufficiency.SSDA903Error as exc:
        return None, problems + findings(exc.errors, {"header": header_index, "episodes": list(text.index)}, value_first=False)
    if problems:
        return None, problems
    return {sufficiency.child.name: tables["child"], sufficiency.episode.name: tables["episode"]}, []


def _code_sheet(_catalogue) -> dict[str, pd.DataFrame]:
    return {"Codes": pd.DataFrame([{"list": name, "code": code, "meaning": label}
                                   for name, items in sufficiency.CODE_LISTS.items() for code, label, _group in items])}


def _fill_code_list(conn) -> None:
    if conn.execute(select(sufficiency.code.c.code).limit(1)).first() is None:
        conn.execute(sufficiency.code.insert(), sufficiency.code_rows())


SSDA903 = DatasetSpec(
    name=sufficiency.NAME,
    label="SSDA903 looked-after children episodes (Sufficiency)",
    description="One row per episode of care, with the child's header details (SEX, DOB, ETHNIC, UASC, DUC) repeated "
                "on each of the child's rows: the LA's whole history as at the year end. It replaces everything "
                "stored for the LA. Child ids are hashed, dates of birth kept to the month, postcodes cut to sectors.",
    period_label="collection year end (31 March, YYYY-03-31)",
    columns=tuple(ColumnSpec(name, "text", _SSDA903_MEANING[name], allow_blank=True, required=name not in _SSDA903_OPTIONAL,
                             example={"child": "A123456", "sex": "1", "dob": "14/02/2012", "ethnic": "WBRI", "uasc": "0",
                                      "decom": "01/05/2024", "rne": "S", "ls": "C2", "cin": "N1", "place": "U4",
                                      "place_provider": "PR1", "home_post": "SE15 4RG", "pl_post": "SE22 8AA"}.get(name, ""))
                  for name in (*SSDA903_HEADER, *(c.lower() for c in sufficiency.EPISODE_COLUMNS if c != "CHILD"))),
    key=("child", "decom"),
    max_rows=2_000_000,
    la_column=None, period_column=None,   # SSDA903 extracts name neither: the choice does
    period=COLLECTION_YEAR,
    targets=(Target(sufficiency.child), Target(sufficiency.episode)),
    to_store=_ssda903_rows,
    current_per_la=True,
    reference_sheets=_code_sheet,
    before_commit=_fill_code_list,
)


# --- education suspensions by ethnicity: one row per ethnic group, for one LA and academic year ---------------

GROUPS = [group for _major, group in suspensions.ETHNIC_GROUPS]


def _suspension_rules(rows: pd.DataFrame, _context) -> list[tuple[int, str, str]]:
    def above(a, b, column, rule):
        both = rows[a].notna() & rows[b].notna()
        return [(i, column, rule) for i in rows.index[both & (rows[a] > rows[b])]]
    return (above("pupils_suspended", "headcount", "pupils_suspended", "numerator above denominator: more pupils suspended than on roll")
            + above("permanent_exclusions", "headcount", "permanent_exclusions", "numerator above denominator: more exclusions than pupils on roll")
            + above("pupils_suspended", "suspensions", "suspensions", "fewer suspensions than pupils suspended"))


def _suspension_rows(parsed: pd.DataFrame, _text, la_code: str, period: str, _context):
    return {suspensions.suspensions_pupils.name: [
        {"la_code": la_code, "academic_year": period, "ethnicity": row["ethnicity"],
         "ethnicity_major": suspensions.MAJOR_OF.get(row["ethnicity"], ""),
         **{c: _count(row[c]) for c in suspensions.COUNT_COLUMNS}} for row in parsed.to_dict("records")]}, []


SUSPENSIONS = DatasetSpec(
    name=suspensions.NAME,
    label="Suspensions by ethnicity (LA annual return)",
    description="One row per DfE ethnic group: pupils on roll (headcount), pupils with one or more suspensions, "
                "suspensions and permanent exclusions in the academic year. Leave a cell blank when you do not have "
                "the figure: it shows as 'no return', never 0.",
    period_label="academic year (e.g. 2023/24)",
    columns=(LA_COLUMN,
             ColumnSpec("academic_year", "code", "The academic year the figures are for.", example="2023/24"),
             ColumnSpec("ethnicity", "code", "DfE ethnic group (see the Ethnic groups sheet).", normalise=suspensions.canonical_group,
                        example="Black Caribbean"),
             *(ColumnSpec(name, "number", meaning, allow_blank=True, minimum=0, integer=True, example=example)
               for name, meaning, example in (
                   ("headcount", "Pupils on roll in the group (January census).", "2140"),
                   ("pupils_suspended", "Pupils with one or more suspensions in the year.", "96"),
                   ("suspensions", "Suspensions in the year.", "181"),
                   ("permanent_exclusions", "Permanent exclusions in the year.", "3")))),
    key=("ethnicity",),
    max_rows=100,
    period_column="academic_year",
    period=ACADEMIC_YEAR,
    row_rules=(_suspension_rules,),
    targets=(Target(suspensions.suspensions_pupils, period_rows=lambda t, p: t.c.academic_year == p),),
    to_store=_suspension_rows,
    demo_scope="la",
    context=lambda _conn, _la, _period: {"codes": {"ethnicity": set(GROUPS)}},
    template=lambda _la, _period, _catalogue: pd.DataFrame({"ethnicity": GROUPS}),
    reference_sheets=lambda _catalogue: {"Ethnic groups": pd.DataFrame(
        [{"ethnicity": group, "major group": major} for major, group in suspensions.ETHNIC_GROUPS])},
)


# --- Leadership in Colour: staff headcount by service group, pay band and ethnicity ----------------------------

_BAND_BY_TEXT = {**{str(i): str(i) for i in range(1, len(linc.PAY_BANDS) + 1)},
                 **{label.lower().replace(" ", ""): str(i) for i, (label, _lo, _hi) in enumerate(linc.PAY_BANDS, start=1)}}
_SERVICE_BY_TEXT = {**{k: k for k in linc.SERVICE_GROUPS}, **{v.lower(): k for k, v in linc.SERVICE_GROUPS.items()}}


def _pay_band(text: str) -> str | None:
    return _BAND_BY_TEXT.get(text.lower().replace(" ", "").removesuffix(".0"))


def _service_group(text: str) -> str | None:
    return _SERVICE_BY_TEXT.get(text.strip().lower().replace("’", "'"))


def _linc_rows(parsed: pd.DataFrame, _text, la_code: str, period: str, _context):
    snapshot = pd.Timestamp(period).date()
    return {linc.linc_payband_headcount.name: [
        {"snapshot_date": snapshot, "la_code": la_code, "service_group": row["service_group"], "band_order": int(row["pay_band"]),
         "ethnicity": row["ethnicity"], "headcount": _count(row["headcount"])} for row in parsed.to_dict("records")]}, []


def _linc_template(_la, _period, _catalogue) -> pd.DataFrame:
    return pd.DataFrame([{"service_group": service, "pay_band": band, "ethnicity": ethnicity}
                         for service in linc.SERVICE_GROUPS for band in range(1, len(linc.PAY_BANDS) + 1)
                         for ethnicity in linc.ETHNICITIES])


LINC = DatasetSpec(
    name=linc.NAME,
    label="Leadership in Colour staff return (headcount by pay band and ethnicity)",
    description="One row per service group, pay band and ethnic group: the number of staff at the snapshot date. "
                "Write 0 where there are none; every row needs a count.",
    period_label="snapshot date (YYYY-MM-DD)",
    columns=(LA_COLUMN,
             ColumnSpec("snapshot_date", "date", "The date the staff figures were taken.", example="2025-03-31"),
             ColumnSpec("service_group", "code", "Service group (see the Lists sheet).", normalise=_service_group, example="childrens"),
             ColumnSpec("pay_band", "code", "Pay band number 1-12 or its label (see the Lists sheet).", normalise=_pay_band, example="5"),
             ColumnSpec("ethnicity", "code", "asian, black, mixed, other, white or not_known.", normalise=lambda t: t.lower().replace(" ", "_"), example="black"),
             ColumnSpec("headcount", "number", "Staff in that service group, band and ethnic group.", minimum=0, integer=True,
                        example="14")),
    key=("service_group", "pay_band", "ethnicity"),
    max_rows=1_000,
    period_column="snapshot_date",
    period=SNAPSHOT,
    targets=(Target(linc.linc_payband_headcount, period_rows=lambda t, p: t.c.snapshot_date == pd.Timestamp(p).date()),),
    to_store=_linc_rows,
    demo_scope="la",
    context=lambda _conn, _la, _period: {"codes": {"service_group": set(linc.SERVICE_GROUPS), "ethnicity": set(linc.ETHNICITIES),
                                                   "pay_band": set(_BAND_BY_TEXT.values())}},
    template=_linc_template,
    reference_sheets=lambda _catalogue: {"Lists": pd.concat([
        pd.DataFrame({"list": "pay_band", "code": [str(i) for i in range(1, 13)], "meaning": [b[0] for b in linc.PAY_BANDS]}),
        pd.DataFrame({"list": "service_group", "code": list(linc.SERVICE_GROUPS), "meaning": list(linc.SERVICE_GROUPS.values())}),
        pd.DataFrame({"list": "ethnicity", "code": list(linc.ETHNICITIES), "meaning": [e.replace("_", " ") for e in linc.ETHNICITIES]}),
    ], ignore_index=True)},
)


# --- SEND: where children with an EHC plan are educated, and pupils' primary need (January) ------------------

SEND_MEASURES = {**send.PLACEMENTS, **send.NEEDS}
SEND_RETURN_SOURCE = "LA return"


def _send_rules(rows: pd.DataFrame, _context) -> list[tuple[int, str, str]]:
    """Pupils by primary need are among the children with a plan: their total cannot be above the placements'."""
    placed = rows.loc[rows["measure"].isin(list(send.PLACEMENTS)), "value"]
    needs = rows.loc[rows["measure"].isin(list(send.NEEDS)), "value"]
    if placed.notna().sum() < len(send.PLACEMENTS) or needs.notna().sum() < len(send.NEEDS) or needs.sum() <= placed.sum():
        return []
    first_need = needs.index[0]
    return [(first_need, "value", f"numerator above denominator: primary needs add up to {needs.sum():,.0f}, "
                                  f"more than the {placed.sum():,.0f} children placed")]


def _send_context(conn, la_code: str, period: str) -> dict:
    sv = send.send_value
    plans = conn.execute(select(sv.c.value).where(sv.c.area_code == la_code, sv.c.measure == "plans_in_force",
                                                  sv.c.year == int(period))).scalar() if period.isdigit() else None
    return {"codes": {"measure": set(SEND_MEASURES)}, "plans_in_force": plans}


def _send_queries(rows: pd.DataFrame, context) -> list[dict]:
    plans = context.get("plans_in_force")
    placed = rows.loc[rows["measure"].isin(list(send.PLACEMENTS)), "value"]
    if plans is None or placed.notna().sum() < len(send.PLACEMENTS) or abs(placed.sum() - plans) <= 0.1 * plans:
        return []
    return [{"row": "", "column": "value", "value": f"{placed.sum():,.0f}",
             "query": f"placements add up to more than 10% away from the {plans:,.0f} EHC plans in force held for this year"}]


def _send_rows(parsed: pd.DataFrame, _text, la_code: str, period: str, _context):
    return {send.send_value.name: [{"area_code": la_code, "year": int(period), "measure": row["measure"],
                                    "value": None if pd.isna(row["value"]) else float(row["value"]), "source": SEND_RETURN_SOURCE}
                                   for row in parsed.to_dict("records")]}, []


SEND = DatasetSpec(
    name=send.NAME,
    label="SEND placements and primary need (LA return)",
    description="One row per measure for the January census: children and young people with an EHC plan by where "
                "they are educated, and pupils with an EHC plan by primary need. Leave a value blank when you do not "
                "have it: it shows as 'no return', never 0. Published SEN2 figures are imported, not uploaded.",
    period_label="census year (January, e.g. 2025)",
    columns=(LA_COLUMN,
             ColumnSpec("year", "code", "Year of the January census.", example="2025"),
             ColumnSpec("measure", "code", "Measure code (see the Measures sheet).", example="place_mainstream"),
             ColumnSpec("value", "number", "The count; blank means no return.", allow_blank=True, minimum=0, integer=True,
                        example="1240")),
    key=("measure",),
    max_rows=100,
    period_column="year",
    period=CENSUS_YEAR,
    row_rules=(_send_rules,),
    targets=(Target(send.send_value, la_column="area_code",
                    period_rows=lambda t, p: (t.c.year == int(p)) & t.c.measure.in_(list(SEND_MEASURES)),
                    demo_rows=lambda t: (t.c.source == send.DEMO) & t.c.measure.in_(list(SEND_MEASURES))),),
    to_store=_send_rows,
    demo_scope="la",
    context=_send_context,
    queries=_send_queries,
    template=lambda _la, _period, _catalogue: pd.DataFrame({"measure": list(SEND_MEASURES)}),
    reference_sheets=lambda _catalogue: {"Measures": pd.DataFrame({"measure": list(SEND_MEASURES),
                                                                   "meaning": [send.MEASURES[m] for m in SEND_MEASURES]})},
)


SPECS: dict[str, DatasetSpec] = {spec.name: spec for spec in (BENCHMARKING, AGENCY_PAY, SSDA903, LINC, SUSPENSIONS, SEND)}
