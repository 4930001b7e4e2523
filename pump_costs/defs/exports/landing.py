"""Find the authoritative files in export folders and land them in the raw lake, read by DuckDB directly.

Each source's folders are its source of truth, and the file is the unit of landing: a run lands the
files that are new or changed since their last landing (size, modification time, or what their manifest
says of them) as Parquet, typed, and removes the rows of files that no longer count (an older CUR
delivery, an older Azure run, a deleted file), all in one commit (pump_costs/raw/lake.py);
raw_exports.landed_files records what is landed. A file that cannot be read, is not the format it should
be, or (for FOCUS files) has rows lacking a mandatory value or a number, stops that source with an error
naming the file, and its tables keep their contents.
"""

import hashlib
import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from pump_costs import settings
from pump_costs.raw import export_values
from pump_costs.raw.export_formats import (
    AWS_CUR2,
    AWS_CUR_LEGACY,
    AZURE_COST_DETAILS,
    FOCUS,
    FOCUS_CONTRACT_COMMITMENT,
    GCP_BILLING,
    ExportFormat,
)
from pump_costs.raw.lake import (
    InPlace,
    LakeWrite,
    create_raw_layer,
    file_literal,
    file_part,
    parts,
    paths_read_in_place,
    spark_reads_in_place,
    sql_literal,
    tidy,
)
from pump_costs.raw.tables import (
    EXPORT_METADATA_COLUMNS,
    LANDED_AT,
    LANDED_FILES,
    export_table,
)

CSV_SUFFIXES = (".csv", ".csv.gz")
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")
PARQUET_SUFFIXES = (".parquet",)
BILLING_PERIOD = re.compile(r"BILLING_PERIOD=(\d{4}-\d{2})")
# legacy CUR: YYYYMMDD-YYYYMMDD/ when it keeps every delivery, year=YYYY/month=MM/ when it overwrites
LEGACY_PERIOD = re.compile(r"\d{8}-\d{8}|month=\d{1,2}")
HASH_CHUNK = 1 << 20


Discover = Callable[[duckdb.DuckDBPyConnection, Path], dict[ExportFormat, list["ExportFile"]]]


class ExportFileError(Exception):
    """A file in an export folder that cannot be loaded; the message names it and says what to do."""


class ExportSourceError(Exception):
    """A source that cannot be landed whole this time; every problem found is in the message."""


@dataclass(frozen=True)
class ExportFile:
    path: Path
    billing_period: str | None = None
    dataset: str | None = None
    scope: str | None = None

    def signature(self) -> tuple:
        """What landing compares with the file's last landing: the file on disk and what is said of it."""
        stat = self.path.stat()
        return (stat.st_size, stat.st_mtime_ns, self.billing_period, self.dataset, self.scope)

    def metadata(self) -> tuple[str | None, ...]:
        """The values landing gives its rows' metadata columns (EXPORT_METADATA_COLUMNS)."""
        return (str(self.path), self.billing_period, self.dataset, self.scope)


def content_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _suffix(path: Path) -> str:
    name = path.name.lower()
    return next((s for s in (*CSV_SUFFIXES, *JSON_SUFFIXES, *PARQUET_SUFFIXES) if name.endswith(s)), "")


def data_files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Data files below `folder`, skipping manifests and hidden files."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".") and _suffix(p) in suffixes and "manifest" not in p.name.lower()
    )


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as error:
        raise ExportFileError(
            f"{path}: the manifest is not readable JSON ({error}). Re-deliver the export or remove the manifest."
        ) from None


def relation(path: Path) -> str:
    """DuckDB's reader for a file, every CSV value as text so nothing is rounded on the way in."""
    file = file_literal(path)
    suffix = _suffix(path)
    if suffix in CSV_SUFFIXES:
        return f"read_csv({file}, all_varchar = true, header = true, nullstr = ['', 'NULL', 'null'])"
    if suffix in JSON_SUFFIXES:
        return f"read_json({file}, format = 'newline_delimited')"
    return f"read_parquet({file})"


def describe(conn: duckdb.DuckDBPyConnection, path: Path) -> dict[str, str]:
    try:
        rows = conn.execute(f"describe select * from {relation(path)}").fetchall()
    except duckdb.Error as error:
        raise ExportFileError(
            f"{path}: DuckDB cannot read this file ({_reader_error(error)}). "
            "Check that it is a complete CSV, JSON lines or Parquet export."
        ) from None
    return {name: data_type for name, data_type, *_ in rows}


def _reader_error(error: duckdb.Error) -> str:
    """DuckDB's reader message without its long tail of sniffer options, keeping the cause
    (e.g. 'not utf-8 encoded') which comes after the first line."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    keep = [line for line in lines if not line.startswith(("Possible ", "*", "Parameters", "  "))]
    return " ".join(keep[:3])[:400]


def _quoted(name: str) -> str:
    return f'"{name}"'


@dataclass(frozen=True)
class FileRows:
    """How landing reads one file: its rows as its raw table has them (`select`; running it fails on a row the
    mart cannot use, see `unusable_values`), and for a file read in place, its columns' types."""

    select: str
    in_place_columns: dict[str, str] | None = None


def reads_in_place(fmt: ExportFormat, path: Path, columns: dict[str, str]) -> bool:
    """A Parquet file with typed numbers and timestamps is read where it is when the setting says so: each
    read then types no text. Any other file is copied, typed once, and so is one Spark could not read where it
    is (`spark_reads_in_place`): the listing serves both engines."""
    parquet = _suffix(path) in PARQUET_SUFFIXES
    typed = parquet and export_values.typed_file(fmt, columns) and spark_reads_in_place(path, columns)
    return typed and settings.read_exports_in_place()


def select_from(conn: duckdb.DuckDBPyConnection, export: ExportFile, fmt: ExportFormat) -> FileRows:
    """The file's rows with exactly the format's columns (missing ones null), typed as its raw table's, and
    where they came from."""
    columns = describe(conn, export.path)
    if not fmt.recognises(set(columns)):
        missing = ", ".join(sorted(set(fmt.required) - set(columns)))
        raise ExportFileError(
            f"{export.path}: not in the {fmt.label} format (missing columns: {missing}). "
            f"Move it out of this folder, or export it again as {fmt.label}."
        )
    selected = [export_values.raw_value(fmt, name, columns.get(name)) for name in fmt.columns]
    selected += [
        f"{sql_literal(v)} as {name}" for name, v in zip(EXPORT_METADATA_COLUMNS, export.metadata(), strict=True)
    ]
    usable = ["(" + " or ".join(f"{_quoted(n)} is not null" for n in names) + ")" for names in fmt.mandatory]
    usable += [f"{export_values.first_unreadable_number(texts)} is null" for _, texts in fmt.nested_numbers]
    select = (
        f"select * from (select {', '.join(selected)} from {relation(export.path)}) "
        f"where case when {' and '.join(usable) or 'true'} then true else error('{export_values.UNUSABLE}') end"
    )
    if not reads_in_place(fmt, export.path, columns):
        return FileRows(select)
    # The format's columns only: files that differ in others are still read together (lake.in_place_groups).
    return FileRows(select, {name: columns[name] for name in fmt.columns if name in columns})


def _unreadable(name: str, read: str) -> str:
    return f"{_quoted(name)} is not null and {read} is null"


def unusable_values(conn: duckdb.DuckDBPyConnection, path: Path, fmt: ExportFormat) -> str | None:
    """Why landing `path` failed: the rows the mart cannot use (a mandatory value missing, text where a
    number or a date belongs), naming the columns and a first bad value; None if every row is usable.
    Read only when a landing failed, so a good file is read once."""
    columns = describe(conn, path)
    # The file's numbers and timestamps as the file has them, every other column as landed (text).
    source = ", ".join(
        f"cast(null as varchar) as {_quoted(n)}"
        if n not in columns
        else _quoted(n)
        if n in fmt.numbers or n in fmt.timestamps
        else f"{export_values.text(_quoted(n), columns[n])} as {_quoted(n)}"
        for n in fmt.columns
    )
    checks = [  # (the problem, the rows that have it, an example value of one)
        (f"{' or '.join(names)} missing", " and ".join(f"{_quoted(n)} is null" for n in names), None)
        for names in fmt.mandatory
    ]
    checks += [
        (f"{name} not a number", _unreadable(name, export_values.number(_quoted(name), columns[name])), _quoted(name))
        for name in fmt.numbers
        if name in columns
    ]
    checks += [
        (f"{name} not a date", _unreadable(name, export_values.timestamp(_quoted(name), columns[name])), _quoted(name))
        for name in fmt.timestamps
        if name in columns
    ]
    checks += [
        (f"{label} not a number", f"{first} is not null", first)
        for label, texts in fmt.nested_numbers
        if (first := export_values.first_unreadable_number(texts))
    ]
    aggregates = ", ".join(  # one pass over the file
        f"count(*) filter (where {condition}), "
        + (f"any_value(cast({example} as varchar)) filter (where {condition})" if example else "null")
        for _, condition, example in checks
    )
    try:
        total, *found = conn.execute(
            f"select count(*), {aggregates} from (select {source} from {relation(path)})"
        ).fetchone()
    except duckdb.Error as error:
        raise ExportFileError(
            f"{path}: DuckDB cannot read this file ({_reader_error(error)}). "
            "Check that it is a complete CSV, JSON lines or Parquet export."
        ) from None
    problems = [
        f"{problem} ({n} of {total} rows" + (f", e.g. {example!r})" if example is not None else ")")
        for (problem, _, _), n, example in zip(checks, found[::2], found[1::2], strict=True)
        if n
    ]
    if not problems:
        return None
    return (
        f"{path}: rows the mart cannot use: {'; '.join(problems)}. "
        "Export the file again with these values, or move it out of this folder."
    )


@dataclass(frozen=True)
class FileChanges:
    """Against the last landing: files to land (new or changed, or to be read in place where they were copied
    or the other way round), paths whose rows go (no longer counted), and byte-identical copies of a counted
    file, which count once (the first path in sort order)."""

    changed: list[ExportFile]
    removed: list[str]
    copies: dict[str, str] = field(default_factory=dict)  # a copy's path -> the path that counts
    # path -> content SHA-256 of every counted file; None for a file no other file has the size of (see below)
    hashes: dict[str, str | None] = field(default_factory=dict)


def file_changes(conn: duckdb.DuckDBPyConnection, fmt: ExportFormat, files: list[ExportFile]) -> FileChanges:
    """Expects the raw layer to exist (land_source creates it once per run)."""
    rows = conn.execute(
        f"select path, size, modified_ns, billing_period, dataset, scope, content_sha256 from {LANDED_FILES.qualified} "
        "where format_table = ?",
        [fmt.table],
    ).fetchall()
    landed = {path: (tuple(signature), digest) for path, *signature, digest in rows}
    counted: dict[str, ExportFile] = {}
    hashes: dict[str, str | None] = {}
    copies: dict[str, str] = {}
    first_with: dict[str, str] = {}
    # Only files of the same size can be copies of each other: a file whose size no other file has is not
    # read for its digest (reading 800 MB takes ~0.4 s); it is, on the run that finds another of its size.
    size = {file.path: file.path.stat().st_size for file in files}
    same_size = Counter(size.values())
    # Of identical files, one already landed keeps counting; else the first path in sort order counts.
    for file in sorted(files, key=lambda f: (str(f.path) not in landed, str(f.path))):
        path = str(file.path)
        digest = None
        if same_size[size[file.path]] > 1:
            signature, recorded = landed.get(path, (None, None))
            # A file is only read whole when it is new or changed; an unchanged one keeps its recorded digest.
            digest = recorded if signature == file.signature() and recorded else content_sha256(file.path)
            if digest in first_with:
                copies[path] = first_with[digest]
                continue
            first_with[digest] = path
        counted[path], hashes[path] = file, digest
    in_place = paths_read_in_place(conn)
    return FileChanges(
        changed=[
            file
            for path, file in counted.items()
            if landed.get(path, (None,))[0] != file.signature() or _switched(conn, fmt, file, path in in_place)
        ],
        removed=sorted(set(landed) - set(counted)),
        copies=copies,
        hashes=hashes,
    )


def _switched(conn: duckdb.DuckDBPyConnection, fmt: ExportFormat, file: ExportFile, read_in_place: bool) -> bool:
    """Whether an unchanged file is to be read the other way now (the setting was switched): a file read in
    place stays so while the setting holds (it is still typed), so only a copied Parquet file is described."""
    if not settings.read_exports_in_place():
        return read_in_place
    if read_in_place or _suffix(file.path) not in PARQUET_SUFFIXES:
        return False
    try:
        return reads_in_place(fmt, file.path, describe(conn, file.path))
    except ExportFileError:
        return False  # reported when the file is selected


class FileNotLanded(Exception):
    def __init__(self, file: ExportFile, error: duckdb.Error):
        super().__init__(str(file.path))
        self.file, self.error = file, error


def land(
    conn: duckdb.DuckDBPyConnection,
    write: LakeWrite,
    fmt: ExportFormat,
    selects: dict[ExportFile, FileRows],
    changes: FileChanges,
) -> None:
    """Write the rows of the changed files (`selects`: each file's rows), or list those read in place, in place
    of their earlier rows, drop those of removed files, and update the landing record, all in `write` (which
    the caller commits). Raises FileNotLanded for a file whose rows cannot be written or read."""
    landed_at = datetime.now(UTC).replace(tzinfo=None)
    table = export_table(fmt)
    for path in changes.removed:
        write.drop(table, file_part(path))
    records = []
    for file, rows_of in selects.items():
        path = str(file.path)
        try:
            if rows_of.in_place_columns is None:
                select = f"select *, ?::timestamp as {LANDED_AT} from ({rows_of.select})"
                rows = write.write(table, file_part(path), select, [landed_at])
            else:
                reading = InPlace(rows_of.in_place_columns, (*file.metadata(), landed_at.isoformat(sep=" ")))
                rows = write.read_in_place(table, file_part(path), path, reading, rows_of.select)
        except duckdb.Error as error:
            raise FileNotLanded(file, error) from None
        records.append((fmt.table, path, *file.signature(), landed_at, rows, changes.hashes[path]))
    replaced = {str(file.path) for file in selects} | set(changes.removed)
    names = [name for name, _ in LANDED_FILES.columns]
    before = conn.execute(
        f"select {', '.join(names)} from {LANDED_FILES.qualified} where format_table = ?", [fmt.table]
    ).fetchall()
    # Unchanged files landed without a digest get theirs once they have one.
    records += [
        (*record[:-1], record[-1] or changes.hashes.get(record[1])) for record in before if record[1] not in replaced
    ]
    if set(records) == set(before):
        return  # a record written again would look like a change to the models (build_inputs)
    if not records:
        write.drop(LANDED_FILES, fmt.table)
        return
    conn.register(
        "landing_record",
        pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in records], LANDED_FILES.arrow_schema()),
    )
    try:
        write.write(LANDED_FILES, fmt.table, "select * from landing_record")
    finally:
        conn.unregister("landing_record")


def why_not_landed(
    conn: duckdb.DuckDBPyConnection, selects: dict[ExportFormat, dict[ExportFile, FileRows]], failed: FileNotLanded
) -> list[str]:
    """Every changed file's problems, once a landing has failed (and been rolled back): each file is read
    again for its unusable rows; failing that, the error that stopped the landing is the problem."""
    problems = []
    for fmt, files in selects.items():
        for file in files:
            try:
                problem = unusable_values(conn, file.path, fmt)
            except ExportFileError as error:
                problem = str(error)
            if problem:
                problems.append(problem)
    return problems or [
        f"{failed.file.path}: DuckDB cannot read this file ({_reader_error(failed.error)}). "
        "Check that it is a complete CSV, JSON lines or Parquet export."
    ]


@dataclass(frozen=True)
class Landed:
    """What one landing did to one format's table."""

    rows: int
    files: int
    changed: int
    removed: int
    copies: dict[str, str]


def landed_paths_under(conn: duckdb.DuckDBPyConnection, formats: tuple[ExportFormat, ...], folder: Path) -> int:
    prefix = str(folder).rstrip(os.sep) + os.sep
    return conn.execute(
        f"select count(*) from {LANDED_FILES.qualified} "
        "where format_table in (select unnest(?)) and starts_with(path, ?)",
        [[fmt.table for fmt in formats], prefix],
    ).fetchone()[0]


def land_source(
    conn: duckdb.DuckDBPyConnection,
    formats: tuple[ExportFormat, ...],
    folders: list[tuple[Path, str]],
    discover: Discover,
) -> dict[ExportFormat, Landed]:
    """Land a source's folders whole, or nothing at all.

    `folders` pairs each folder with how it was configured (named in messages). A folder that is missing,
    or holds no export file where files were landed from it before (an unmounted share, a typo, a sync
    that emptied it), is an error, as is any file that cannot be landed: the source's tables then keep
    their last good contents. Removing a source is done on purpose with `pump-costs forget-exports`.
    """
    create_raw_layer(conn)
    problems: list[str] = []
    counted: dict[ExportFormat, list[ExportFile]] = {fmt: [] for fmt in formats}
    for folder, configured_by in folders:
        before = landed_paths_under(conn, formats, folder)
        if not folder.is_dir():
            if before or configured_by:
                problems.append(
                    f"{folder}: this export folder ({configured_by or 'the default'}) does not exist"
                    + (f", and {before} files were landed from it" if before else "")
                    + ". Mount or create it, or fix the path; to drop this source's rows on purpose, run "
                    "`pump-costs forget-exports`."
                )
            continue
        try:
            found = discover(conn, folder)
        except ExportFileError as error:
            problems.append(str(error))
            continue
        if before and not any(found.values()):
            problems.append(
                f"{folder}: no export files here, where {before} were landed before (an unmounted share or a sync "
                "that emptied the folder?). Restore the files; to drop this source's rows on purpose, run "
                "`pump-costs forget-exports`."
            )
        for fmt, files in found.items():
            counted[fmt] += files
    changes = {fmt: file_changes(conn, fmt, files) for fmt, files in counted.items()}
    selects: dict[ExportFormat, dict[ExportFile, FileRows]] = {fmt: {} for fmt in formats}
    for fmt, change in changes.items():
        for file in change.changed:
            try:
                selects[fmt][file] = select_from(conn, file, fmt)
            except ExportFileError as error:
                problems.append(str(error))
    if problems:
        raise ExportSourceError("\n".join(problems))
    # A raw table's rows have no order: DuckDB then need not keep the file's (~10% of landing a large CSV).
    conn.execute("set preserve_insertion_order = false")
    write = LakeWrite(conn)
    try:
        for fmt, change in changes.items():
            land(conn, write, fmt, selects[fmt], change)
        write.commit()
    except FileNotLanded as failed:
        tidy(conn)  # the files written before it, which nothing lists
        raise ExportSourceError("\n".join(why_not_landed(conn, selects, failed))) from None
    finally:
        conn.execute("reset preserve_insertion_order")
    return {
        fmt: Landed(
            rows=conn.execute(f"select count(*) from {export_table(fmt).qualified}").fetchone()[0],
            files=len(change.hashes),
            changed=len(change.changed),
            removed=len(change.removed),
            copies=change.copies,
        )
        for fmt, change in changes.items()
    }


def forget(conn: duckdb.DuckDBPyConnection, formats: tuple[ExportFormat, ...]) -> int:
    """Drop every landed row of these formats and their landing record; returns the files forgotten."""
    names = [fmt.table for fmt in formats]
    create_raw_layer(conn)
    (files,) = conn.execute(
        f"select count(*) from {LANDED_FILES.qualified} where format_table in (select unnest(?))", [names]
    ).fetchone()
    write = LakeWrite(conn)
    for fmt in formats:
        table = export_table(fmt)
        for part in parts(conn, table):
            write.drop(table, part)
        write.drop(LANDED_FILES, fmt.table)
    write.commit()
    return files


# -- which files count, per provider ------------------------------------------------------------


@dataclass(frozen=True)
class CurManifest:
    """A CUR manifest: the data files that make up the current delivery of one billing period."""

    period_folder: Path  # the local folder holding that period's data files
    keys: tuple[str, ...]  # the files, as S3 keys or URIs

    def lists(self, path: Path) -> bool:
        relative = path.relative_to(self.period_folder.parent).as_posix()
        return any(key.endswith("/" + relative) for key in self.keys)

    def missing(self) -> list[str]:
        """Listed files that are not on disk: the period is only partly synced."""
        marker = f"/{self.period_folder.name}/"
        return [
            key
            for key in self.keys
            if marker not in key or not (self.period_folder / key.split(marker, 1)[1]).is_file()
        ]


def _cur_manifest(path: Path) -> CurManifest | None:
    """CUR 2.0 keeps its manifest in metadata/BILLING_PERIOD=…/ beside data/BILLING_PERIOD=…/; legacy CUR keeps
    the current one in the period folder itself, with copies in each assembly folder that never change."""
    folder = path.parent
    if BILLING_PERIOD.fullmatch(folder.name) and folder.parent.name == "metadata":
        return CurManifest(folder.parent.parent / "data" / folder.name, tuple(_read_json(path).get("dataFiles", [])))
    if LEGACY_PERIOD.fullmatch(folder.name):
        return CurManifest(folder, tuple(_read_json(path).get("reportKeys", [])))
    return None  # an assembly folder's copy: the period folder's manifest says which assembly is current


def _period_folder(path: Path, root: Path) -> Path | None:
    """The folder of the billing period a CUR data file belongs to, if the layout shows one."""
    periods = (p for p in path.parents if p.is_relative_to(root) and p != root)
    return next((p for p in periods if BILLING_PERIOD.fullmatch(p.name) or LEGACY_PERIOD.fullmatch(p.name)), None)


def aws_files(conn: duckdb.DuckDBPyConnection, folder: Path) -> dict[ExportFormat, list[ExportFile]]:
    """CUR 2.0 (data/BILLING_PERIOD=YYYY-MM/) and legacy CUR (YYYYMMDD-YYYYMMDD/<assemblyId>/) files.

    Where a billing period has a manifest, only the files it lists count: a re-delivery replaces the
    period. Without one, a period delivered more than once (several assembly folders) is an error, as
    summing every delivery would count the period's spend once per delivery.
    """
    manifests = {m.period_folder: m for m in filter(None, map(_cur_manifest, folder.rglob("*Manifest.json")))}
    incomplete = [
        f"{m.period_folder}: the manifest lists {len(missing)} of its {len(m.keys)} files that are not here "
        f"(first: {missing[0].rsplit('/', 1)[-1]}), so this billing period is only partly synced. Sync the "
        "whole period folder again."
        for m in manifests.values()
        if (missing := m.missing())
    ]
    if incomplete:
        raise ExportFileError("\n".join(incomplete))
    deliveries: dict[Path, set[str]] = defaultdict(set)
    found: dict[ExportFormat, list[ExportFile]] = defaultdict(list)
    for path in data_files(folder, (*CSV_SUFFIXES, *PARQUET_SUFFIXES)):
        period_folder = _period_folder(path, folder)
        manifest = manifests.get(period_folder)
        if manifest and not manifest.lists(path):
            continue  # an earlier delivery of a period the manifest now describes
        if period_folder and not manifest and path.parent != period_folder:
            deliveries[period_folder].add(path.relative_to(period_folder).parts[0])
        try:
            fmt = AWS_CUR_LEGACY if AWS_CUR_LEGACY.recognises(set(describe(conn, path))) else AWS_CUR2
        except ExportFileError:
            fmt = AWS_CUR2  # unreadable: reported with the other files' problems when it is selected
        period = BILLING_PERIOD.fullmatch(period_folder.name) if period_folder else None
        found[fmt].append(ExportFile(path, billing_period=period.group(1) if period else None))
    repeated = {p: sorted(names) for p, names in deliveries.items() if len(names) > 1}
    if repeated:
        raise ExportFileError(
            "\n".join(
                f"{p}: {len(names)} deliveries of this billing period ({', '.join(names)}) and no manifest saying "
                "which is current. Copy the period's *-Manifest.json too, or keep only the latest delivery's folder."
                for p, names in sorted(repeated.items())
            )
        )
    return found


def azure_files(conn: duckdb.DuckDBPyConnection, folder: Path) -> dict[ExportFormat, list[ExportFile]]:
    """Cost details exports. Of the runs with a manifest.json, only the latest per scope, dataset and
    month counts; files with no manifest (a one-off download) count as they are."""
    latest: dict[tuple[str, str, str], tuple[str, Path, dict]] = {}
    manifest_folders = set()
    for manifest_path in folder.rglob("manifest.json"):
        manifest = _read_json(manifest_path)
        try:
            config, run = manifest["exportConfig"], manifest["runInfo"]
            key = (config["resourceId"], config.get("type", "ActualCost"), run["startDate"][:7])
            submitted = run["submittedTime"]
        except (KeyError, TypeError):
            raise ExportFileError(
                f"{manifest_path}: not an Azure export manifest (needs exportConfig.resourceId, "
                "runInfo.startDate and runInfo.submittedTime)"
            ) from None
        manifest_folders.add(manifest_path.parent)
        if key not in latest or submitted > latest[key][0]:
            latest[key] = (submitted, manifest_path, manifest)
    files = []
    for (scope, dataset, month), (_, manifest_path, manifest) in sorted(latest.items()):
        blobs = {blob["blobName"].rsplit("/", 1)[-1] for blob in manifest.get("blobs", [])}
        run_files = [p for p in data_files(manifest_path.parent, (*CSV_SUFFIXES, *PARQUET_SUFFIXES)) if p.name in blobs]
        missing = sorted(blobs - {p.name for p in run_files})
        if missing:
            raise ExportFileError(
                f"{manifest_path}: the manifest lists {len(missing)} of its {len(blobs)} files that are not here "
                f"(first: {missing[0]}), so this export run is only partly synced. Sync the run's folder again."
            )
        files += [ExportFile(p, billing_period=month, dataset=dataset, scope=scope) for p in run_files]
    for path in data_files(folder, (*CSV_SUFFIXES, *PARQUET_SUFFIXES)):
        if not any(path.is_relative_to(m) for m in manifest_folders):
            dataset = "AmortizedCost" if "amortized" in path.name.lower() else "ActualCost"
            files.append(ExportFile(path, dataset=dataset, scope=str(path.relative_to(folder).parent)))
    return {AZURE_COST_DETAILS: files}


def gcp_files(conn: duckdb.DuckDBPyConnection, folder: Path) -> dict[ExportFormat, list[ExportFile]]:
    """BigQuery billing export extracts (JSON lines or Parquet); rows are append-only."""
    return {GCP_BILLING: [ExportFile(p) for p in data_files(folder, (*JSON_SUFFIXES, *PARQUET_SUFFIXES))]}


def focus_files(conn: duckdb.DuckDBPyConnection, folder: Path) -> dict[ExportFormat, list[ExportFile]]:
    """FOCUS files: cost and usage, and (from FOCUS 1.3) contract commitments, told apart by their columns."""
    found: dict[ExportFormat, list[ExportFile]] = {FOCUS: [], FOCUS_CONTRACT_COMMITMENT: []}
    for path in data_files(folder, (*CSV_SUFFIXES, *PARQUET_SUFFIXES)):
        try:
            columns = set(describe(conn, path))
        except ExportFileError:
            columns = set()  # unreadable: reported with the other files' problems when it is selected
        commitments = FOCUS_CONTRACT_COMMITMENT.recognises(columns) and not FOCUS.recognises(columns)
        found[FOCUS_CONTRACT_COMMITMENT if commitments else FOCUS].append(ExportFile(path))
    return found
