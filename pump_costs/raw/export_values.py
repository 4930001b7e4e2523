"""How landing reads an export file's value into its raw column's type, once, whatever the file's own type.

Numbers become exact decimals: text as the exporter wrote it (a currency symbol, thousands separators and
padding allowed, as in the FOCUS spec's own examples; E-notation casts exactly), a binary float through its
shortest decimal text (0.1 stays 0.1, not 0.1000000000000000055), a decimal or an integer as it is.
Timestamps become UTC: text in any of the formats exporters use, a timestamp with a time zone converted.
"""

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
