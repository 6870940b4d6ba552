"""Integer lookups that survive numbers too large for the database.

Django (5.0+) already answers "no rows" for an out-of-range number compared
with an integer column (``IntegerFieldOverflow``), but not when the column is
a relation (``organization=…``, ``camera_id=…``, ``user__exact=…``) nor for
``__in``. On SQLite such a number then fails inside the driver
(``OverflowError``: a 500 on any list filter, admin changelist or page that
takes an id). The lookups below give relations and ``__in`` the same rule:
a value outside the target column's range matches nothing (or, for ``<``
and ``>``, everything), decided before the query reaches the database.

Registered on import; ``portal.models`` imports this module, so every app's
models load with it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db.models import Field, ForeignObject, IntegerField
from django.db.models.fields.related_lookups import (
    RelatedExact,
    RelatedGreaterThan,
    RelatedGreaterThanOrEqual,
    RelatedIn,
    RelatedLessThan,
    RelatedLessThanOrEqual,
)
from django.db.models.lookups import In


def _target(field: Field) -> Field:
    """The column a relation compares with (its target), else the field itself."""
    path_infos = getattr(field, "path_infos", None)
    return path_infos[-1].target_fields[-1] if path_infos else field


def _range(lookup: Any, connection: Any) -> tuple[int | None, int | None]:
    internal_type = _target(lookup.lhs.output_field).get_internal_type()
    return connection.ops.integer_field_ranges.get(internal_type, (None, None))


def _out_of_range(value: Any, low: int | None, high: int | None) -> str | None:
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    if low is not None and value < low:
        return "under"
    if high is not None and value > high:
        return "over"
    return None


class _RelatedOverflow:
    underflow_exception: type[Exception] = EmptyResultSet
    overflow_exception: type[Exception] = EmptyResultSet

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        side = _out_of_range(self.rhs, *_range(self, connection))  # type: ignore[attr-defined]
        if side == "under":
            raise self.underflow_exception
        if side == "over":
            raise self.overflow_exception
        return super().process_rhs(compiler, connection)  # type: ignore[misc]


class _InRange:
    """``__in``: values the column cannot hold are dropped; none left matches nothing."""

    rhs: Any  # the lookup's (declared for the type checker; the lookup class sets it)

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        if self.rhs_is_direct_value():  # type: ignore[attr-defined]
            low, high = _range(self, connection)
            kept = [value for value in self.rhs if not _out_of_range(value, low, high)]
            if not kept:
                raise EmptyResultSet
            self.rhs = kept
        return super().process_rhs(compiler, connection)  # type: ignore[misc]


@ForeignObject.register_lookup
class RangeCheckedRelatedExact(_RelatedOverflow, RelatedExact):
    pass


@ForeignObject.register_lookup
class RangeCheckedRelatedGreaterThan(_RelatedOverflow, RelatedGreaterThan):
    underflow_exception = FullResultSet


@ForeignObject.register_lookup
class RangeCheckedRelatedGreaterThanOrEqual(_RelatedOverflow, RelatedGreaterThanOrEqual):
    underflow_exception = FullResultSet


@ForeignObject.register_lookup
class RangeCheckedRelatedLessThan(_RelatedOverflow, RelatedLessThan):
    overflow_exception = FullResultSet


@ForeignObject.register_lookup
class RangeCheckedRelatedLessThanOrEqual(_RelatedOverflow, RelatedLessThanOrEqual):
    overflow_exception = FullResultSet


@ForeignObject.register_lookup
class RangeCheckedRelatedIn(_InRange, RelatedIn):
    pass


@IntegerField.register_lookup
class RangeCheckedIn(_InRange, In):
    pass
