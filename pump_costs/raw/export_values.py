"""How landing reads an export file's value into its raw column's type, once, whatever the file's own type.

Numbers become exact decimals: text as the exporter wrote it (a currency symbol, thousands separators and
padding allowed, as in the FOCUS spec's own examples; E-notation casts exactly), a binary float through its
shortest decimal text (0.1 stays 0.1, not 0.1000000000000000055), a decimal or an integer as it is.
Timestamps become UTC: text in any of the formats exporters use, a timestamp with a time zone converted.

`raw_value` is DuckDB's reading, used when landing and for files read in place (pump_costs/raw/lake.py);
`spark_raw_value` is Spark's, for files read in place, which are typed files only (`typed_file`): Spark then
needs no reading of text, and a binary float takes the same shortest text on both engines.
"""

from pump_costs.raw.export_formats import ExportFormat
from pump_costs.raw.tables import export_column_type, spark_type

# In a landing query or a view over a file read in place, a value the raw column's type cannot hold stops the
# query (landing then says why).
UNUSABLE = "pump-costs: a value landing cannot use"

# Text to exact money; an empty value is no value.
NUMBER_TEXT = "nullif(trim(replace(replace({0}, '$', ''), ',', '')), '')"
# How many digits the number in text {0} has after its point: those written after the point, less the exponent
# ('8.9E-9' has 10). An over-count is harmless; text that is not a number gets a count or null, and is refused
# by every cast below alike.
FRACTION_DIGITS = (
    "(case when strpos({0}, '.') > 0 then length(split_part(lower({0}), 'e', 1)) - strpos({0}, '.') else 0 end"
    " - coalesce(try_cast(nullif(split_part(lower({0}), 'e', 2), '') as integer), 0))"
)
# DuckDB reads text with an exponent (as AWS writes small amounts: '8.9E-9') into decimal(38, 18) ~10x slower
# than into decimal(18, s): a value with at most 9 (or 17) digits after its point is read as decimal(18, 9)
# (or (18, 17)), which holds it exactly (a value too large for it reads as null), then widened; any other is
# read as decimal(38, 18). The result is the same; 1,000,000 legacy CUR rows land ~1 s sooner, and a Parquet
# float column (as AWS and GCP write money) ~4x faster.
EXACT_NUMBER = (
    "coalesce(case "
    "when {f} <= 9 then cast(try_cast({0} as decimal(18, 9)) as decimal(38, 18)) "
    "when {f} <= 17 then cast(try_cast({0} as decimal(18, 17)) as decimal(38, 18)) end, "
    "try_cast({0} as decimal(38, 18)))"
).replace("{f}", FRACTION_DIGITS)
NUMBER_FROM_TEXT = EXACT_NUMBER.replace("{0}", NUMBER_TEXT)
# Text to a UTC timestamp. Text ending in 'Z' (ISO 8601 in UTC, AWS's '.000Z' included) is read by DuckDB's
# cast; text with '/' by the month/day/year formats, two-digit years first ('%Y' would read '4/1/25' as the
# year 25); other text by the first ISO format that reads it, else by the cast (an offset converted to UTC).
# The order matters for speed only: a format that does not read a value costs try_strptime ~0.25 µs, and the
# cast gives what the 'Z' formats would.
FROM_OFFSET_TEXT = "cast(try_cast({0} as timestamptz) at time zone 'UTC' as timestamp)"
MONTH_DAY_YEAR_FORMATS = "['%m/%d/%y', '%m/%d/%Y']"
ISO_FORMATS = (
    "['%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%gZ', '%Y-%m-%dT%H:%MZ', "
    "'%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d']"
)
TIMESTAMP_FROM_TEXT = (
    "coalesce("
    f"case when ends_with({{0}}, 'Z') then {FROM_OFFSET_TEXT} end, "
    f"case when contains({{0}}, '/') then try_strptime({{0}}, {MONTH_DAY_YEAR_FORMATS}) end, "
    f"try_strptime({{0}}, {ISO_FORMATS}), "
    f"{FROM_OFFSET_TEXT})"
)
EXACT_NUMBER_TYPES = ("DECIMAL", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT")
EXACT_NUMBER_TYPES += ("UINTEGER", "UBIGINT")
FLOAT_TYPES = ("FLOAT", "DOUBLE", "REAL")


def number(column: str, file_type: str) -> str:
    """SQL reading `column` (quoted), of DuckDB type `file_type`, as decimal(38, 18); null where it cannot."""
    if file_type.startswith(EXACT_NUMBER_TYPES):
        return f"try_cast({column} as decimal(38, 18))"
    if file_type in FLOAT_TYPES:  # its shortest text, often with an exponent ('3e-09')
        return EXACT_NUMBER.format(f"cast({column} as varchar)")
    return NUMBER_FROM_TEXT.format(text(column, file_type))


def first_unreadable_number(texts: str) -> str:
    """SQL giving the first value of the text list `texts` that is not a number, or null."""
    return f"list_filter({texts}, lambda value: value is not null and {NUMBER_FROM_TEXT.format('value')} is null)[1]"


def timestamp(column: str, file_type: str) -> str:
    """SQL reading `column` (quoted), of DuckDB type `file_type`, as a UTC timestamp; null where it cannot."""
    if file_type in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
        return f"cast({column} at time zone 'UTC' as timestamp)"
    if file_type.startswith("TIMESTAMP") or file_type == "DATE":
        return f"cast({column} as timestamp)"
    return TIMESTAMP_FROM_TEXT.format(text(column, file_type))


def text(column: str, file_type: str) -> str:
    """SQL reading `column` (quoted) as text, nested values (structs, maps, lists) as JSON."""
    if file_type == "VARCHAR":
        return column
    if file_type.startswith(("STRUCT", "MAP")) or file_type.endswith("]"):
        return f"cast(to_json({column}) as varchar)"
    return f"cast({column} as varchar)"


def raw_value(fmt: ExportFormat, name: str, file_type: str | None) -> str:
    """The file's column `name` (of DuckDB type `file_type`, None when the file lacks it) as its raw column's
    type, on DuckDB; a value that cannot be read stops the query (UNUSABLE)."""
    column = f'"{name}"'
    if file_type is None:
        return f"cast(null as {export_column_type(fmt, name)}) as {column}"
    if name in fmt.numbers:
        read = number(column, file_type)
    elif name in fmt.timestamps:
        read = timestamp(column, file_type)
    else:
        return f"{text(column, file_type)} as {column}"
    return f"coalesce({read}, case when {column} is not null then error('{UNUSABLE}') end) as {column}"


def typed_file(fmt: ExportFormat, columns: dict[str, str]) -> bool:
    """Whether a file (its columns' DuckDB types) holds its numbers as numbers and its timestamps as
    timestamps or dates, as AWS, GCP and FOCUS write Parquet: no text to read on every query."""
    numbers = (columns[n] for n in fmt.numbers if n in columns)
    timestamps = (columns[n] for n in fmt.timestamps if n in columns)
    return all(kind.startswith(EXACT_NUMBER_TYPES) or kind in FLOAT_TYPES for kind in numbers) and all(
        kind.startswith(("TIMESTAMP", "DATE")) for kind in timestamps
    )


def spark_raw_value(fmt: ExportFormat, name: str, file_type: str | None) -> str:
    """`raw_value` on Spark, for a typed file (`typed_file`) read with the session in UTC. A binary float
    goes through its text, as on DuckDB (Java's shortest text; see the README's Apache Spark limits)."""
    column = f"`{name}`"
    kind = spark_type(export_column_type(fmt, name))
    if file_type is None:
        return f"cast(null as {kind}) as {column}"
    if name in fmt.numbers:
        read = f"cast(cast({column} as string) as {kind})" if file_type in FLOAT_TYPES else f"cast({column} as {kind})"
    elif name in fmt.timestamps:
        read = f"cast({column} as {kind})"  # a time zone's timestamp as its time in UTC, the session's zone
    elif file_type.startswith(("STRUCT", "MAP")) or file_type.endswith("]"):
        read = f"to_json({column}, map('ignoreNullFields', 'false'))"  # null fields kept, as DuckDB's to_json does
    else:
        read = column if file_type == "VARCHAR" else f"cast({column} as string)"
    return f"{read} as {column}"
