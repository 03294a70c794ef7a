"""Records + their JSON Schema -> a `pandas.DataFrame` with column types from the schema.

=========================  =====================================================
schema                     column dtype
=========================  =====================================================
integer                    ``Int64`` (nullable integer)
number (or integer+number) ``Float64``
boolean                    ``boolean``
string                     ``string``
string, format date-time   ``datetime64[..., UTC]`` (naive values are taken as UTC; with
                           ``airbyte_type: timestamp_without_timezone`` naive ``datetime64``)
string, format date        ``datetime64[...]`` (midnight, no time zone)
object, array              ``object`` holding the Python dicts and lists as they are
several types, or none     ``object``
=========================  =====================================================

Columns come in the schema's property order; fields the records have but the schema does not
list follow, in first-seen order, as ``object`` columns. A value that does not fit its column's
type (a string in an integer column, a bad date) never raises: that column falls back to ``object``
with the raw values, so a preview always shows.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from hub.schema import types_of

_MISSING = object()


def column_kind(prop: Mapping[str, Any]) -> str:
    """The kind of column a property becomes.

    One of ``integer``, ``number``, ``boolean``, ``string``, ``date-time``, ``date``, ``object``.
    """
    types = types_of(prop) - {"null"}
    if types == {"integer"}:
        return "integer"
    if types and types <= {"integer", "number"}:
        return "number"
    if types == {"boolean"}:
        return "boolean"
    if types == {"string"}:
        fmt = prop.get("format")
        if fmt in ("date-time", "date"):
            return str(fmt)
        return "string"
    return "object"


def _objects(values: Sequence[Any]) -> pd.Series:
    arr = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        arr[i] = None if v is _MISSING else v
    return pd.Series(arr, dtype=object)


def _is_null(v: Any) -> bool:
    if v is None or v is _MISSING or v is pd.NA:
        return True
    return isinstance(v, float) and v != v  # NaN


_NONE = type(None)


def _fast(values: Sequence[Any], kind: str) -> Any:
    """The typed array for the common case, or ``None`` when `_convert`'s general path must decide.

    Columns of one Python type (plus ``None``), as previews from databases mostly are, become arrays
    straight from numpy with a null mask: no per-value Python checks or copies.
    """
    types = set(map(type, values))
    nulls = _NONE in types
    types.discard(_NONE)
    if not types:
        return None
    n = len(values)
    if nulls:
        mask = np.fromiter((v is None for v in values), dtype=bool, count=n)
        present: Sequence[Any] = [v for v in values if v is not None]
    else:
        mask = np.zeros(n, dtype=bool)
        present = values
    if kind == "integer" and types == {int}:
        data = np.zeros(n, dtype=np.int64)
        data[~mask] = np.array(present, dtype=np.int64)  # OverflowError past int64: the general path decides
        return pd.arrays.IntegerArray(data, mask)
    if kind == "number" and types <= {int, float}:
        data = np.zeros(n, dtype=np.float64)
        data[~mask] = np.array(present, dtype=np.float64)
        mask |= np.isnan(data)  # NaN is a null, as in the general path
        return pd.arrays.FloatingArray(data, mask)
    if kind == "boolean" and types == {bool}:
        data_b = np.zeros(n, dtype=bool)
        data_b[~mask] = np.array(present, dtype=bool)
        return pd.arrays.BooleanArray(data_b, mask)
    if kind == "string" and types == {str}:
        return pd.array(np.array(values, dtype=object), dtype="string")
    if kind in ("date-time", "local-date-time", "date") and types == {str}:
        utc = kind == "date-time"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stamps = pd.to_datetime(np.array(values, dtype=object), utc=utc, format="ISO8601", errors="raise")
        if not utc and isinstance(stamps.dtype, pd.DatetimeTZDtype):
            raise TypeError("a date with a time zone")
        return stamps.array
    return None


def _convert(values: Sequence[Any], kind: str) -> pd.Series:
    """A typed column, or `None`-free object column when a value does not fit."""
    try:
        typed = _fast(values, kind)
    except (TypeError, ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
        return _objects(values)
    if typed is not None:
        return pd.Series(typed)
    clean = [None if _is_null(v) else v for v in values]
    present = [v for v in clean if v is not None]
    try:
        if kind == "integer":
            if any(isinstance(v, bool) or not isinstance(v, int | np.integer) for v in present):
                raise TypeError("not an integer")
            return pd.Series(pd.array(clean, dtype="Int64"))
        if kind == "number":
            numeric = int | float | Decimal | np.number
            if any(isinstance(v, bool) or not isinstance(v, numeric) for v in present):
                raise TypeError("not a number")
            floats = [None if v is None else float(v) for v in clean]
            return pd.Series(pd.array(floats, dtype="Float64"))
        if kind == "boolean":
            if any(not isinstance(v, bool | np.bool_) for v in present):
                raise TypeError("not a boolean")
            return pd.Series(pd.array(clean, dtype="boolean"))
        if kind == "string":
            if any(not isinstance(v, str) for v in present):
                raise TypeError("not a string")
            return pd.Series(pd.array(clean, dtype="string"))
        if kind in ("date-time", "date", "local-date-time"):
            return _dates(clean, utc=kind == "date-time")
    except (TypeError, ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
        pass
    return _objects(values)


def _dates(values: list[Any], *, utc: bool) -> pd.Series:
    if any(not isinstance(v, str | date) for v in values if v is not None):
        raise TypeError("not a date")  # e.g. a Unix timestamp: pandas would read it as nanoseconds
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns about inferring formats; every value is checked anyway
        raw = pd.Series(values, dtype=object)
        if all(isinstance(v, str) or v is None for v in values):
            series = pd.to_datetime(raw, utc=utc, format="ISO8601", errors="raise")
        else:
            series = pd.to_datetime(raw, utc=utc, errors="raise")
    if not utc and isinstance(series.dtype, pd.DatetimeTZDtype):
        raise TypeError("a date with a time zone")
    return series


def _kind(prop: Mapping[str, Any]) -> str:
    """`column_kind`, but a timestamp without time zone (Airbyte's ``airbyte_type``) stays naive."""
    kind = column_kind(prop)
    if kind == "date-time" and prop.get("airbyte_type") == "timestamp_without_timezone":
        return "local-date-time"
    return kind


def _columns(
    rows: list[Mapping[str, Any]], props: Mapping[str, Any]
) -> tuple[list[str], list[Sequence[Any]]]:
    """Column names (schema order, then extra fields in first-seen order) and each column's values.

    Records that hold exactly the schema's fields (what connectors produce) are transposed in one pass;
    otherwise a missing field is `_MISSING`.
    """
    names: list[str] = list(props)
    if names and set(map(len, rows)) <= {len(names)}:
        getter = operator.itemgetter(*names)
        try:
            picked = list(map(getter, rows))
        except (KeyError, TypeError):
            pass  # some other field instead of a schema field: the general path below
        else:
            if len(names) == 1:
                return names, [picked]
            return names, list(zip(*picked, strict=True)) if rows else [[] for _ in names]
    known = set(names)
    for row in rows:
        for key in row:
            if key not in known:
                known.add(key)
                names.append(key)
    return names, [[row.get(name, _MISSING) for row in rows] for name in names]


def to_dataframe(records: Iterable[Mapping[str, Any]], json_schema: Mapping[str, Any]) -> pd.DataFrame:
    """A DataFrame of ``records`` typed by ``json_schema`` (module docstring). Never raises on values."""
    rows = list(records)
    props: Mapping[str, Any] = json_schema.get("properties") or {}
    names, columns = _columns(rows, props)
    if not rows:  # keep the dtypes on an empty frame
        return pd.DataFrame(
            {name: _empty(_kind(props[name]) if name in props else "object") for name in names}, columns=names
        )
    data: dict[str, Any] = {}
    for name, values in zip(names, columns, strict=True):
        kind = _kind(props[name]) if name in props else "object"
        series = _objects(values) if kind == "object" else _convert(values, kind)
        # typed columns go in as arrays (nothing to align); object ones as series, so that pandas keeps
        # them ``object`` instead of inferring ``str``; every series has the same RangeIndex
        data[name] = series if series.dtype == object else series.array
    return pd.DataFrame(data, columns=names, copy=False)


def _empty(kind: str) -> pd.Series:
    dtypes: dict[str, Any] = {
        "integer": "Int64",
        "number": "Float64",
        "boolean": "boolean",
        "string": "string",
        "date-time": pd.DatetimeTZDtype(unit="us", tz="UTC"),
        "date": "datetime64[us]",
        "local-date-time": "datetime64[us]",
    }
    return pd.Series([], dtype=dtypes.get(kind, object))


__all__ = ["column_kind", "to_dataframe"]
