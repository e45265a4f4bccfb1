"""The Upload page's logic: who may upload what, check a file, commit it, history and restore.

Every function takes the signed-in user and checks the role and LA again here, whatever the page
showed: an uploader may upload only for their own LA, only an administrator may restore a version.
The page keeps no validated data between "check" and "commit": committing checks the file again.
"""
from __future__ import annotations

import base64
import binascii
import io
import zipfile
from dataclasses import dataclass

import pandas as pd

from dashboard import loader
from dashboard.auth.registration import AccessDenied
from dashboard.auth.roles import ADMIN, UPLOADER, describe_roles, role_allows
from dashboard.auth.users import audit
from dashboard.components.callback_values import InvalidChoice
from dashboard.exports import to_csv_bytes
from dashboard.ingest import loading
from dashboard.ingest.returns import SPECS
from dashboard.ingest.templates import template_csv, template_xlsx
from dashboard.ingest.validation import Report
from dashboard.store import get_engine
from dashboard.store.ssda903 import TABLES as DFE_TABLES
from dashboard.store.ssda903 import recognise

FINDINGS_SHOWN = 1000   # the page shows this many findings; the downloadable report has them all


def may_upload(user) -> bool:
    return role_allows(user.roles, (UPLOADER,))


def authorise(user, la_code: str) -> None:
    """Refuse (and log) an upload for an LA the user may not upload for."""
    if not may_upload(user) or (user.role != ADMIN and la_code != user.la_code):
        audit(get_engine(), actor=user.email, event="refused", detail=f"upload for {la_code} by {describe_roles(user.roles)} of {user.la_code}")
        raise AccessDenied("You may upload only for your own LA." if may_upload(user) else "Your role cannot upload data.")


def spec_for(dataset):
    """The dataset's upload spec; InvalidChoice (answered 400) for a name the page never offered."""
    if not isinstance(dataset, str) or dataset not in SPECS:
        raise InvalidChoice(f"unknown dataset {str(dataset)[:100]!r}")
    return SPECS[dataset]


def dataset_options() -> list[dict]:
    return [{"label": spec.label, "value": name} for name, spec in SPECS.items()]


def la_options(user, las: pd.DataFrame) -> list[dict]:
    """Administrators may choose any LA; everyone else only their own."""
    allowed = las if user.role == ADMIN else las[las["la_code"] == user.la_code]
    return [{"label": name, "value": code} for code, name in zip(allowed["la_code"], allowed["la_name"])]


def period_options(today: pd.Timestamp | None = None, quarters: int = 12, dataset: str = "benchmarking") -> list[dict]:
    """The dataset's recent periods, latest first (quarter ends back `quarters` quarters for quarterly returns:
    a late return is common)."""
    kind = spec_for(dataset).period
    return kind.options(today, quarters) if kind.label == "Quarter" else kind.options(today)


def period_label(dataset: str) -> str:
    return spec_for(dataset).period.label


def template_help(dataset: str) -> str:
    spec = spec_for(dataset)
    filled = " and ".join(part for part, column in (("LA", spec.la_column), (spec.period.label.lower(), spec.period_column))
                          if column)
    return (f"{spec.description} " + (f"The template has the {filled} filled in. " if filled else "")
            + ("The CSV template is a zip of the DfE's SSDA903 tables (their column names): upload the tables you hold, "
               "several at once or as a zip. Several years go in together as one version when each file's name (or its "
               "zip's) carries its year, as 2021-episodes.csv: choose the latest year as the period. The Excel version "
               "is the one-file form. " if spec.standard == "ssda903" else "")
            + "The Excel version adds a data dictionary (every column, its meaning, type and an example) and the code lists.")


def decode_contents(contents: str | None) -> bytes:
    """The bytes of a dcc.Upload value ('data:<type>;base64,<data>'); ValueError if it is not one."""
    if not contents or "," not in contents:
        raise ValueError("No file was received. Choose or drop a file again.")
    try:
        return base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("The file did not arrive whole. Choose or drop it again.")


def max_bytes(settings) -> int:
    return settings.upload_max_mb * 2**20


@dataclass
class UploadCheck:
    report: Report
    ok: bool
    summary: str
    findings: pd.DataFrame     # the first FINDINGS_SHOWN findings
    more_findings: int         # how many more the downloadable report holds
    demo_warning: str = ""     # committing removes every LA's demo data: said before Commit, to be confirmed


def demo_removal_warning(dataset: str) -> str:
    """What committing will remove besides this file's own period, where that is every LA's demo data (the first real
    return of a dataset whose demo goes as a whole); "" otherwise. The page asks the uploader to confirm it."""
    spec = SPECS[dataset]
    if spec.demo_scope != "dataset" or not loader.dataset_info(dataset)["is_demo"]:
        return ""
    return (f"This is the first real {spec.label.lower()}: committing it removes the demo data of every LA, not only "
            "yours. Until their own returns arrive, the other LAs show 'no return' on every page that uses this data. "
            "This cannot be undone from this page (an administrator can reload the demo with python -m dashboard "
            f"load-demo --dataset {dataset}).")


class DemoRemovalNotConfirmed(ValueError):
    """A commit that would remove every LA's demo data arrived without the uploader's confirmation."""


def _as_lists(file_name, contents) -> tuple[list[str], list]:
    """dcc.Upload gives one name and content, or (several files chosen at once) lists of them."""
    if isinstance(contents, list):
        names = file_name if isinstance(file_name, list) else [file_name] * len(contents)
        return [n or "upload" for n in names], contents
    return [file_name or "upload"], [contents]


def _is_a_set(spec, data: bytes) -> bool:
    """A file for a return of several tables: a zip of them, or one of the standard's tables on its own."""
    if spec.read_files is None:
        return False
    if data[:4] == b"PK\x03\x04":
        try:
            return not any(n.startswith("xl/") for n in zipfile.ZipFile(io.BytesIO(data)).namelist())   # not Excel
        except zipfile.BadZipFile:
            return False
    first_line = data[:4096].decode("utf-8-sig", errors="replace").splitlines()[:1]
    return bool(first_line and recognise(first_line[0].split(",")))


def _report(user, settings, dataset: str, la_code: str, period: str, file_name, contents) -> Report:
    spec_for(dataset)
    authorise(user, la_code)
    names, encoded = _as_lists(file_name, contents)
    try:
        files = [(name, decode_contents(content)) for name, content in zip(names, encoded)]
    except ValueError as exc:
        report = Report(dataset=dataset, file_name=" + ".join(names), file_sha256="", la_code=la_code, period=period)
        report.file_errors.append(str(exc))
        return report
    spec = SPECS[dataset]
    if len(files) > 1 or _is_a_set(spec, files[0][1]):
        return loading.validate_files(get_engine(), dataset, files, la_code, period, max_bytes=max_bytes(settings))
    return loading.validate(get_engine(), dataset, files[0][0], files[0][1], la_code, period, max_bytes=max_bytes(settings))


def check_upload(user, settings, dataset, la_code, period, file_name, contents) -> UploadCheck:
    """Stage one and two on the file; nothing is stored."""
    report = _report(user, settings, dataset, la_code, period, file_name, contents)
    if not report.ok:
        loading.record_rejection(get_engine(), report, user.email)
    findings = report.table()
    shown = findings.head(FINDINGS_SHOWN).rename(columns=str.capitalize)
    return UploadCheck(report=report, ok=report.ok, summary=report.summary(), findings=shown,
                       more_findings=max(0, len(findings) - FINDINGS_SHOWN),
                       demo_warning=demo_removal_warning(dataset) if report.ok else "")


def commit_upload(user, settings, dataset, la_code, period, file_name, contents, *,
                  demo_removal_confirmed: bool = False) -> loading.CommitResult:
    """Check the file again (nothing from the browser is trusted), then store it as a new version. A commit that
    would remove every LA's demo data needs the uploader's confirmation (checked here, not only by the page)."""
    if dataset not in SPECS:
        raise ValueError(f"unknown dataset {dataset!r}")
    authorise(user, la_code)
    if not demo_removal_confirmed and demo_removal_warning(dataset):
        raise DemoRemovalNotConfirmed("Nothing was stored: confirm first that this first real return may remove "
                                      "every LA's demo data (the box above the Commit button).")
    report = _report(user, settings, dataset, la_code, period, file_name, contents)
    result = loading.commit(get_engine(), report, user.email)
    if result.status == "rejected":
        loading.record_rejection(get_engine(), report, user.email)
    return result


def report_csv(check: UploadCheck) -> bytes:
    """The whole report, one finding per line, with the counts first (rows read = accepted + rejected)."""
    r = check.report
    head = pd.DataFrame([{"level": "summary", "row": "", "column": "", "value": "",
                          "rule": f"{r.file_name}: {r.summary()} (dataset {r.dataset}, LA {r.la_code}, period {r.period}, "
                                  f"sha256 {r.file_sha256})"}])
    return to_csv_bytes(pd.concat([head, r.table()], ignore_index=True))


def template_file(dataset: str, la_code: str, period: str, kind: str) -> tuple[bytes, str]:
    """The template filled with the LA and period; InvalidChoice for an LA or period the page never offered."""
    spec = spec_for(dataset)
    if la_code not in set(loader.local_authorities()["la_code"]):
        raise InvalidChoice(f"unknown LA {str(la_code)[:100]!r}")
    problem = spec.period.check(period) if isinstance(period, str) else "no period chosen"
    if problem:
        raise InvalidChoice(problem)
    catalogue = loader.indicator_catalogue() if dataset == "benchmarking" else None
    stem = f"{dataset}_template_{la_code}_{period}"
    if kind == "csv" and spec.standard == "ssda903":
        return ssda903_templates(), f"ssda903_tables_{la_code}_{period}.zip"
    if kind == "csv":
        return template_csv(spec, la_code, period, catalogue), f"{stem}.csv"
    return template_xlsx(spec, la_code, period, catalogue), f"{stem}.xlsx"


def ssda903_templates() -> bytes:
    """A zip of the DfE's SSDA903 tables, each its CSV header row (the DfE's column names): fill the ones you hold."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, table in DFE_TABLES.items():
            columns = [c for c in table.columns if (name, c) != ("Header", "UASC")]   # UASC: the XML form's header only
            archive.writestr(f"{name.lower()}.csv", ",".join(columns) + "\n")
    return out.getvalue()


def history_table(user) -> pd.DataFrame:
    """Every stored version this user may see: their own LA's, or all for administrators."""
    table = loading.upload_history(get_engine(), la_code=None if user.role == ADMIN else user.la_code)
    table["uploaded_at"] = pd.to_datetime(table["uploaded_at"]).dt.strftime("%d %b %Y %H:%M")
    table["is_current"] = table["is_current"].map({True: "current", False: "earlier"})
    table["file_sha256"] = table["file_sha256"].str[:12]
    # The LA's name, as the LA chooser above writes it (a code not among the 33 stays as stored).
    names = dict(zip(*loader.local_authorities()[["la_code", "la_name"]].T.values))
    table["la_code"] = pd.Series([names.get(code, code) for code in table["la_code"]], index=table.index, dtype=object)
    # As the page names it; text even with no rows (an empty list would make it a float column, and its grid column a
    # number format that shows the first version's name as "NaN" once it is committed).
    table["dataset"] = pd.Series([SPECS[name].label if name in SPECS else name for name in table["dataset"]],
                                 index=table.index, dtype=object)
    return table.rename(columns=HISTORY_HEADERS)


HISTORY_HEADERS = {"id": "Id", "dataset": "Dataset", "la_code": "LA", "period": "Period", "version": "Version",
                   "is_current": "Status", "uploaded_by": "Uploaded by", "uploaded_at": "Uploaded at", "file_name": "File",
                   "rows_read": "Rows read", "rows_accepted": "Accepted", "rows_rejected": "Rejected",
                   "file_sha256": "SHA-256 (start)"}


def restore_version(user, upload_id: int) -> str:
    if user.role != ADMIN:
        audit(get_engine(), actor=user.email, event="refused", detail=f"restore upload {upload_id}")
        raise AccessDenied("Only administrators can restore an earlier version.")
    return loading.restore(get_engine(), int(upload_id), user.email)
