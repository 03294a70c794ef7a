"""JSON Schema inference from records, and comparison with a declared schema.

`infer_schema` walks every record once and keeps, per field, the JSON types seen, whether the field
was absent from some records, candidate string formats, and (for objects and arrays) the same
statistics one level down. Rules:

- ``integer`` vs ``number``: a field with only integral JSON numbers (Python ``int``, not ``bool``)
  is ``integer``; any float (or `~decimal.Decimal`) makes it ``number``.
- Nullability: a field that is ``None`` in some record gets ``"null"`` in its type list, e.g.
  ``["string", "null"]``. A field that is only ever ``None`` is ``{"type": "null"}``.
- Formats (``date-time``, ``date``, ``email``, ``uri``, and ``uuid``) are conservative: set only when *every*
  non-null value of the field matches. ``date-time`` requires a ``T`` separator and a time zone
  (RFC 3339), so naive timestamps stay plain strings. Python `datetime`/`date` values (from database
  drivers) are strings with that format.
- Mixed types become a type list in a fixed order (``["integer", "string"]``).
- Objects get ``properties`` (first-seen order) and ``required`` (keys present in every record);
  arrays get ``items`` merged over every element (``{}`` when every array was empty).

`compare` lists the differences between an inferred and a declared schema that a sample can
actually prove: a type the sample shows but the declaration does not allow, a field the declaration
lacks or the sample never has, a declared format the values do not have.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

#: The order in which types appear in a type list.
TYPE_ORDER = ("object", "array", "string", "integer", "number", "boolean", "null")
FORMATS = ("date-time", "date", "email", "uri", "uuid")

_DATE_TIME_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$"
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#]+[^\s]*$")
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _is_date_time(value: str) -> bool:
    if not _DATE_TIME_RE.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return False
    return True


def _is_date(value: str) -> bool:
    if not _DATE_RE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


_FORMAT_CHECKS = {
    "date-time": _is_date_time,
    "date": _is_date,
    "email": lambda v: bool(_EMAIL_RE.match(v)),
    "uri": lambda v: bool(_URI_RE.match(v)),
    "uuid": lambda v: bool(_UUID_RE.match(v)),
}


@dataclass
class _Node:
    """Statistics for one position in the records (a field, or an array's elements)."""

    types: set[str] = field(default_factory=set)
    formats: set[str] | None = None  # candidate formats; None until the first string
    props: dict[str, _Node] = field(default_factory=dict)
    present: dict[str, int] = field(default_factory=dict)
    objects: int = 0
    items: _Node | None = None

    def add(self, value: Any) -> None:
        if value is None:
            self.types.add("null")
        elif isinstance(value, bool):
            self.types.add("boolean")
        elif isinstance(value, int):
            self.types.add("integer")
        elif isinstance(value, float | Decimal):
            self.types.add("number")
        elif isinstance(value, str):
            self._add_string(value)
        elif isinstance(value, datetime):
            self._add_string_format("date-time" if value.tzinfo is not None else None)
        elif isinstance(value, date):
            self._add_string_format("date")
        elif isinstance(value, Mapping):
            self._add_object(value)
        elif isinstance(value, list | tuple):
            self.types.add("array")
            if self.items is None:
                self.items = _Node()
            for item in value:
                self.items.add(item)
        elif isinstance(value, uuid.UUID):
            self._add_string_format("uuid")
        elif isinstance(value, time | bytes | bytearray | memoryview):
            self._add_string_format(None)
        else:  # anything else is shown as text
            self._add_string_format(None)

    def _add_string(self, value: str) -> None:
        self.types.add("string")
        candidates = set(FORMATS) if self.formats is None else self.formats
        self.formats = {f for f in candidates if _FORMAT_CHECKS[f](value)}

    def _add_string_format(self, fmt: str | None) -> None:
        self.types.add("string")
        candidates = set(FORMATS) if self.formats is None else self.formats
        self.formats = candidates & ({fmt} if fmt else set())

    def _add_object(self, value: Mapping[str, Any]) -> None:
        self.types.add("object")
        self.objects += 1
        for key, sub in value.items():
            k = str(key)
            node = self.props.get(k)
            if node is None:
                node = self.props[k] = _Node()
            node.add(sub)
            self.present[k] = self.present.get(k, 0) + 1

    def schema(self) -> dict[str, Any]:
        types = set(self.types)
        if {"integer", "number"} <= types:
            types.discard("integer")
        if not types:
            return {}
        ordered = [t for t in TYPE_ORDER if t in types]
        out: dict[str, Any] = {"type": ordered[0] if len(ordered) == 1 else ordered}
        if "string" in types and self.formats:
            # date-time and date never both match one value; email and uri cannot either.
            out["format"] = sorted(self.formats, key=FORMATS.index)[0]
        if "object" in types:
            out["properties"] = {k: node.schema() for k, node in self.props.items()}
            required = [k for k in self.props if self.present.get(k, 0) == self.objects]
            if required:
                out["required"] = required
        if "array" in types:
            out["items"] = self.items.schema() if self.items is not None else {}
        return out


def infer_schema(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The JSON Schema (draft 7 style) of a list of records; see the module docstring for the rules."""
    root = _Node()
    root.types.add("object")
    for record in records:
        root.add(record)
    schema = root.schema()
    schema.setdefault("properties", {})
    return {"$schema": "http://json-schema.org/draft-07/schema#", **schema}


# --------------------------------------------------------------------------- reading schemas


def types_of(schema: Mapping[str, Any]) -> set[str]:
    """The JSON types a schema allows (``anyOf``/``oneOf`` included); empty means "anything"."""
    found: set[str] = set()
    t = schema.get("type")
    if isinstance(t, str):
        found.add(t)
    elif isinstance(t, list):
        found.update(str(x) for x in t)
    for key in ("anyOf", "oneOf"):
        for sub in schema.get(key) or []:
            sub_types = types_of(sub)
            if not sub_types:
                return set()
            found |= sub_types
    if not found:
        if "properties" in schema:
            found.add("object")
        elif "items" in schema:
            found.add("array")
    return found


def is_nullable(schema: Mapping[str, Any]) -> bool:
    """Whether ``null`` is allowed (or the schema allows anything)."""
    types = types_of(schema)
    return not types or "null" in types


def _subschemas(schema: Mapping[str, Any], key: str) -> dict[str, Any]:
    """Merge ``properties`` (or take ``items``) over the schema and its anyOf/oneOf branches."""
    if key == "items":
        if isinstance(schema.get("items"), Mapping):
            return dict(schema["items"])
        for branch_key in ("anyOf", "oneOf"):
            for sub in schema.get(branch_key) or []:
                if isinstance(sub.get("items"), Mapping):
                    return dict(sub["items"])
        return {}
    merged: dict[str, Any] = {}
    if isinstance(schema.get("properties"), Mapping):
        merged.update(schema["properties"])
    for branch_key in ("anyOf", "oneOf"):
        for sub in schema.get(branch_key) or []:
            if isinstance(sub.get("properties"), Mapping):
                for k, v in sub["properties"].items():
                    merged.setdefault(k, v)
    return merged


def _format_of(schema: Mapping[str, Any]) -> str | None:
    fmt = schema.get("format")
    if isinstance(fmt, str):
        return fmt
    for branch_key in ("anyOf", "oneOf"):
        for sub in schema.get(branch_key) or []:
            if isinstance(sub.get("format"), str):
                return str(sub["format"])
    return None


def compare(
    inferred: Mapping[str, Any],
    declared: Mapping[str, Any],
    *,
    formats: bool = True,
    missing: bool = True,
    strict_properties: bool = False,
    path: str = "",
) -> list[str]:
    """Differences between what a sample shows (``inferred``) and what is ``declared``.

    Reported (each as one line naming the field by its dotted path, ``[]`` for array items):

    - a type the sample has that the declaration does not allow (``integer`` is allowed where
      ``number`` is declared; a declared-nullable field without nulls in the sample is fine);
    - a field the sample has that the declaration does not list, unless the declaration allows
      extra properties explicitly (``additionalProperties`` true or a schema) and
      ``strict_properties`` is off;
    - with ``missing``, a declared field the sample never has;
    - with ``formats``, a declared format that the sample's non-null strings do not all have.

    Not reported: declared types the sample never shows (a sample may not contain every case) and
    formats the sample has but the declaration omits.
    """
    diffs: list[str] = []
    name = path or "(record)"
    inf_types = types_of(inferred)
    dec_types = types_of(declared)
    if dec_types and inf_types:
        allowed = set(dec_types)
        if "number" in allowed:
            allowed.add("integer")
        extra = sorted(inf_types - allowed, key=lambda t: TYPE_ORDER.index(t) if t in TYPE_ORDER else 99)
        if extra:
            diffs.append(
                f"{name}: the sample has {'/'.join(extra)} but the declared type is {_type_text(dec_types)}"
            )
    if formats and "string" in inf_types and "string" in (dec_types or {"string"}):
        dec_fmt = _format_of(declared)
        inf_fmt = inferred.get("format")
        if dec_fmt in FORMATS and inf_fmt != dec_fmt:
            diffs.append(f"{name}: declared format {dec_fmt} but the sample's values are not all {dec_fmt}")
    if "object" in inf_types and (not dec_types or "object" in dec_types):
        inf_props = _subschemas(inferred, "properties")
        dec_props = _subschemas(declared, "properties")
        open_ended = not dec_props or (
            not strict_properties and declared.get("additionalProperties") not in (None, False)
        )
        for key, sub in inf_props.items():
            child = f"{path}.{key}" if path else key
            if key in dec_props:
                diffs.extend(compare(sub, dec_props[key], formats=formats, missing=missing,
                                     strict_properties=strict_properties, path=child))
            elif not open_ended:
                diffs.append(f"{child}: in the sample but not declared")
        if missing:
            for key in dec_props:
                if key not in inf_props:
                    child = f"{path}.{key}" if path else key
                    diffs.append(f"{child}: declared but never present in the sample")
    if "array" in inf_types and (not dec_types or "array" in dec_types):
        inf_items = _subschemas(inferred, "items")
        dec_items = _subschemas(declared, "items")
        if inf_items and dec_items:
            diffs.extend(compare(inf_items, dec_items, formats=formats, missing=missing,
                                 strict_properties=strict_properties, path=f"{path}[]"))
    return diffs


def _type_text(types: set[str]) -> str:
    ordered = sorted(types, key=lambda t: TYPE_ORDER.index(t) if t in TYPE_ORDER else 99)
    return "/".join(ordered)


# --------------------------------------------------------------------------- for tables in the UI


@dataclass(frozen=True)
class Column:
    """One top-level field of a stream, as the preview's schema table shows it."""

    name: str
    type: str
    format: str | None
    nullable: bool
    key: bool


def columns(schema: Mapping[str, Any], primary_key: Iterable[str] = ()) -> list[Column]:
    """The top-level fields of a record schema: name, type (``string``, ``integer | null`` ...), format."""
    keys = set(primary_key)
    out: list[Column] = []
    for name, sub in (schema.get("properties") or {}).items():
        types = types_of(sub)
        shown = [t for t in TYPE_ORDER if t in types and t != "null"] or (["null"] if types else ["any"])
        out.append(Column(name=name, type=" | ".join(shown), format=_format_of(sub),
                          nullable=is_nullable(sub), key=name in keys))
    return out


__all__ = ["FORMATS", "Column", "columns", "compare", "infer_schema", "is_nullable", "types_of"]
