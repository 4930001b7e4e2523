"""What is wrong in a config file a person typed (budgets, organizations), said entry by entry."""

from pydantic import ValidationError


def validation_problems(error: ValidationError, document: dict, list_name: str, label_keys: tuple[str, ...]) -> str:
    """Each problem as `<entry> <number> (<label>), <field>: <message>`, e.g. `budget 2 (workspace Research),
    monthly: ...`, numbering entries of the `list_name` list from 1 and labelling them by `label_keys`."""
    entries = document.get(list_name) if isinstance(document.get(list_name), list) else []
    return "; ".join(
        f"{_location(e['loc'], entries, list_name, label_keys)}: {e['msg'].removeprefix('Value error, ')}"
        for e in error.errors()
    )


def _location(where: tuple, entries: list, list_name: str, label_keys: tuple[str, ...]) -> str:
    if len(where) >= 2 and where[0] == list_name and isinstance(where[1], int):
        number = where[1]
        entry = entries[number] if number < len(entries) and isinstance(entries[number], dict) else {}
        label = " ".join(str(entry[k]) for k in label_keys if entry.get(k))
        field = ".".join(str(part) for part in where[2:])
        entry_name = f"{list_name.removesuffix('s')} {number + 1}{f' ({label})' if label else ''}"
        return f"{entry_name}{f', {field}' if field else ''}"
    return ".".join(str(part) for part in where) or "the file"
