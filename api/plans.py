"""Completion plans: one function per selection of plain data, compiled once per operation.

A plan completes a value of one output type for one selection (graphql-core's field collection decides the
selection, so fragments, aliases, `@include` and `@skip` behave the same) without graphql-core's per-field
machinery: it reads each selected attribute and checks and converts it as graphql-core would. It raises
`Slow` whenever graphql-core has something to say (a null in a non-null position, a value a scalar refuses):
the caller then completes the value again through graphql-core, which reports the error where it is.

Plans are kept per schema (`Plans`, freed with it) and operation: the parsed operation node, its fragments
and the values of the request's Boolean variables (the only ones field collection reads) name an entry,
which keeps the nodes whose ids are in its keys alive, so no id is reused while an entry that holds it
exists; the types in its keys are the schema's, alive as long as its plans can be found.
"""

from __future__ import annotations

import functools
import keyword
import math
from collections.abc import Callable, Hashable
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLString,
)

Memo = dict[tuple[int, int], tuple[Any, Any]]
Complete = Callable[[Any, Memo], Any]
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


class Slow(Exception):
    """This value needs graphql-core's path (an error to report with its path, say)."""


def _int(value: Any, _memo: Memo) -> Any:
    if type(value) is int and _INT_MIN <= value <= _INT_MAX:
        return value
    raise Slow


def _float(value: Any, _memo: Memo) -> Any:
    if type(value) is float and math.isfinite(value):
        return value
    if type(value) is int and _INT_MIN <= value <= _INT_MAX:
        return float(value)
    raise Slow


def _str(value: Any, _memo: Memo) -> Any:
    if type(value) is str:
        return value
    raise Slow


def _bool(value: Any, _memo: Memo) -> Any:
    if type(value) is bool:
        return value
    raise Slow


def _id(value: Any, _memo: Memo) -> Any:
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    raise Slow


_BUILT_IN: dict[GraphQLLeafType, Complete] = {
    GraphQLInt: _int,
    GraphQLFloat: _float,
    GraphQLString: _str,
    GraphQLBoolean: _bool,
    GraphQLID: _id,
}


def leaf(leaf_type: GraphQLLeafType) -> Complete:
    fast = _BUILT_IN.get(leaf_type)
    if fast is not None:
        return fast
    coerce = leaf_type.coerce_output_value  # enums and custom scalars (dates): their own coercion

    def complete(value: Any, _memo: Memo) -> Any:
        if value is None:
            raise Slow
        try:
            coerced = coerce(value)
        except Exception:
            raise Slow from None
        if coerced is None:
            raise Slow
        return coerced

    return complete


def typename(name: str) -> Complete:
    return lambda _source, _memo: name


def maybe(inner: Complete) -> Complete:
    """A nullable position: None stays None."""
    return _NULLABLE_BUILT_IN.get(inner) or _maybe(inner)


def _maybe(inner: Complete) -> Complete:
    def complete(value: Any, memo: Memo) -> Any:
        return None if value is None else inner(value, memo)

    return complete


_NULLABLE_BUILT_IN = {fast: _maybe(fast) for fast in _BUILT_IN.values()}
# What a builder checks in line for a built-in scalar instead of calling its function (`{v}`: the value): when
# the check holds, the function would return the value as it is; otherwise the function is called (it converts
# an int for Float and ID, or raises Slow), so the answer is the same either way.
_IN_LINE: dict[Complete, str] = {
    _int: f"type({{v}}) is int and {_INT_MIN} <= {{v}} <= {_INT_MAX}",
    _float: "type({v}) is float and {v} - {v} == 0.0",  # finite: inf - inf and nan - nan are nan
    _str: "type({v}) is str",
    _bool: "type({v}) is bool",
    _id: "type({v}) is str",
}
_IN_LINE.update({_NULLABLE_BUILT_IN[fast]: f"{{v}} is None or {check}" for fast, check in list(_IN_LINE.items())})


def each(item: Complete) -> Complete:
    def complete(value: Any, memo: Memo) -> Any:
        if type(value) is not list:
            raise Slow
        return [item(v, memo) for v in value]

    return complete


def obj(fields: list[tuple[str, str | None, Complete]], shared: bool) -> Complete:
    """Completes an object from its selected attributes. If `shared` (an object read from a field, which other
    parents may share, such as a connector on every day), an object met again under the same plan is
    completed once per request: the memo entry keeps its source alive, so no other object can take its id
    while the memo lives. List items (each row its own object) are not looked up."""
    build = _dict_builder(fields)

    if not shared:

        def complete_item(source: Any, memo: Memo) -> Any:
            if source is None:
                raise Slow
            return build(source, memo)

        return complete_item

    token = id(build)  # the plan keeps `build` alive as long as any memo can hold this key

    def complete(source: Any, memo: Memo) -> Any:
        if source is None:
            raise Slow
        key = (token, id(source))
        found = memo.get(key)
        if found is None:
            completed = build(source, memo)
            memo[key] = (source, completed)
            return completed
        return found[1]

    return complete


def _dict_builder(fields: list[tuple[str, str | None, Complete]]) -> Callable[[Any, Memo], dict[str, Any]]:
    """One function that reads every selected attribute and completes it into the response's dict, in
    selection order: built-in scalars checked in line, other values through their plans:
    `v0 = s.day; v0 = c0(v0, m); v1 = s.volume; if not (type(v1) is int and ...): v1 = c1(v1, m); ...`."""
    make = _builder_factory(tuple((key, attribute, _IN_LINE.get(complete)) for key, attribute, complete in fields))
    return make(*(complete for _, _, complete in fields))


@functools.lru_cache(maxsize=1024)
def _builder_factory(
    shape: tuple[tuple[str, str | None, str | None], ...],
) -> Callable[..., Callable[[Any, Memo], dict[str, Any]]]:
    """Compiled once per selection shape. Response keys are GraphQL names and attributes Python
    identifiers; both are written as `repr` literals or attribute names, never as code (the checks are
    _IN_LINE's own text)."""
    lines, items, completes = [], [], []
    for n, (key, attribute, check) in enumerate(shape):
        completes.append(f"c{n}")
        if attribute is None:
            read = "s"  # __typename
        elif attribute.isidentifier() and not keyword.iskeyword(attribute):
            read = f"s.{attribute}"
        else:
            read = f"getattr(s, {attribute!r})"
        if check is None:
            lines.append(f"v{n} = c{n}({read}, m)")
        else:
            lines += [f"v{n} = {read}", f"if not ({check.format(v=f'v{n}')}):", f"    v{n} = c{n}(v{n}, m)"]
        items.append(f"{key!r}: v{n}")
    body = "".join(f"        {line}\n" for line in lines)
    source = (
        f"def make({', '.join(completes)}):\n"
        f"    def build(s, m):\n"
        f"{body}"
        f"        return {{{', '.join(items)}}}\n"
        f"    return build\n"
    )
    scope: dict[str, Any] = {}
    exec(source, scope)
    made: Callable[..., Callable[[Any, Memo], dict[str, Any]]] = scope["make"]
    return made


class Entry:
    """The plans of one operation under one set of Boolean variable values, by the ids of (return type, field
    nodes). It keeps the nodes its own key and its plans' keys name by id."""

    __slots__ = ("keep", "plans")

    def __init__(self, keep: tuple[object, ...]) -> None:
        self.keep = keep
        self.plans: dict[Hashable, Complete | None] = {}


class Plans:
    """Entries by operation, at most `size` of them (all dropped when full: distinct operations are few)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.entries: dict[Hashable, Entry] = {}

    def entry(self, key: Hashable, keep: tuple[object, ...]) -> Entry:
        """The entry for `key`, whose ids name the objects of `keep` (alive as long as the entry is)."""
        found = self.entries.get(key)
        if found is None:
            if len(self.entries) >= self.size:
                self.entries.clear()
            found = self.entries[key] = Entry(keep)
        return found

    def clear(self) -> None:
        self.entries.clear()
