"""A lean execution path for lists of plain data.

graphql-core completes every field of every list item through its general machinery (resolver lookup,
resolve info, awaitable checks, paths): ~6 µs per field, 25 ms for a 7-day connector report of ~200
rows x 17 fields. Most of those fields are plain data: strawberry fields without a resolver, arguments,
permissions or extensions, read from the attribute of the same name. For a list whose selection is all
plain data, `LeanExecutor` builds a completion plan once per request (through graphql-core's own field
collection, so fragments, aliases, `@include` and `@skip` behave the same) and applies it to every item.

Anything unusual takes graphql-core's path for that list, so answers and errors stay exactly the same:
a selection with a resolver field, `@defer`/`@stream`, middleware, and any null in a non-null position
or value a scalar does not accept (then graphql-core reports the error with its path).
"""

from __future__ import annotations

import functools
import keyword
import math
import weakref
from collections.abc import Callable
from typing import Any

from graphql import (
    DocumentNode,
    Executor,
    GraphQLBoolean,
    GraphQLError,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    GraphQLSchema,
    GraphQLString,
    get_operation_ast,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from api.graphql_errors import blame_input

Complete = Callable[[Any], Any]
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


class _Slow(Exception):
    """This value needs graphql-core's path (an error to report with its path, say)."""


def _int(value: Any) -> Any:
    if type(value) is int and _INT_MIN <= value <= _INT_MAX:
        return value
    raise _Slow


def _float(value: Any) -> Any:
    if type(value) is float and math.isfinite(value):
        return value
    if type(value) is int and _INT_MIN <= value <= _INT_MAX:
        return float(value)
    raise _Slow


def _str(value: Any) -> Any:
    if type(value) is str:
        return value
    raise _Slow


def _bool(value: Any) -> Any:
    if type(value) is bool:
        return value
    raise _Slow


def _id(value: Any) -> Any:
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    raise _Slow


_BUILT_IN: dict[GraphQLLeafType, Complete] = {
    GraphQLInt: _int,
    GraphQLFloat: _float,
    GraphQLString: _str,
    GraphQLBoolean: _bool,
    GraphQLID: _id,
}


def _leaf(leaf: GraphQLLeafType) -> Complete:
    fast = _BUILT_IN.get(leaf)
    if fast is not None:
        return fast
    coerce = leaf.coerce_output_value  # enums and custom scalars (dates): their own coercion

    def complete(value: Any) -> Any:
        if value is None:
            raise _Slow
        try:
            coerced = coerce(value)
        except Exception:
            raise _Slow from None
        if coerced is None:
            raise _Slow
        return coerced

    return complete


def _typename(name: str) -> Complete:
    return lambda _source: name


class LeanExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor (as strawberry configures it) with the plain-data fast path for lists."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # graphql-core keeps helpers bound to the executor on the executor: a reference cycle, which kept
        # all of a request's objects (the answer too, through the plans) alive until the cycle collector
        # ran, in pauses of 100+ ms under load. The same helpers, reaching the executor by a weak reference.
        executor = weakref.ref(self)

        def live() -> LeanExecutor:
            found = executor()
            assert found is not None, "a resolver outlived its request's execution"
            return found

        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=lambda values: live().gather_async_work(values),
            track=lambda values: live().track_async_work(values),
        )

    @classmethod
    def build(
        cls,
        schema: GraphQLSchema,
        document: DocumentNode,
        root_value: Any = None,
        context_value: Any = None,
        raw_variable_values: dict[str, Any] | None = None,
        operation_name: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> list[GraphQLError] | Executor[Any]:
        """graphql-core's, with the errors of coercing the request's variables marked as the client's input
        (api/graphql_errors.py); those of choosing the operation are not."""
        built = super().build(
            schema, document, root_value, context_value, raw_variable_values, operation_name, *args, **kwargs
        )
        if isinstance(built, list) and get_operation_ast(document, operation_name) is not None:
            blame_input(built)
        return built

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        manager = self.middleware_manager
        if type(result) is list and len(result) > 1 and (manager is None or not manager.middlewares):
            # Keyed by identity: the entry keeps the selection (and the schema keeps the type) alive, so no
            # other selection can take its id while this request runs.
            plans: dict[tuple[int, int], tuple[FieldDetailsList, Complete | None]]
            plans = self.__dict__.setdefault("lean_plans", {})
            key = (id(return_type), id(field_details_list))
            found = plans.get(key)
            if found is None:
                found = plans[key] = (field_details_list, self._plan(return_type, field_details_list))
            plan = found[1]
            if plan is not None:
                try:
                    return plan(result)
                except _Slow:
                    pass  # graphql-core completes it again and reports the error where it is
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    def _plan(self, return_type: GraphQLOutputType, details: FieldDetailsList) -> Complete | None:
        """A function completing a value of this type for this selection, or None if not plain data."""
        if isinstance(return_type, GraphQLNonNull):
            return self._nullable_plan(return_type.of_type, details)  # which refuses None
        nullable = self._nullable_plan(return_type, details)
        if nullable is None:
            return None

        def maybe(value: Any, inner: Complete = nullable) -> Any:
            return None if value is None else inner(value)

        return maybe

    def _nullable_plan(self, return_type: GraphQLOutputType, details: FieldDetailsList) -> Complete | None:
        """The plan for a value that is not None (None raises `_Slow`)."""
        if isinstance(return_type, GraphQLList):
            item = self._plan(return_type.of_type, details)
            if item is None:
                return None

            def each(value: Any, item: Complete = item) -> Any:
                if type(value) is not list:
                    raise _Slow
                return [item(v) for v in value]

            return each
        if isinstance(return_type, GraphQLObjectType):
            return self._object_plan(return_type, details)
        if isinstance(return_type, GraphQLLeafType):
            return _leaf(return_type)
        return None  # interfaces and unions: graphql-core resolves the runtime type

    def _object_plan(self, object_type: GraphQLObjectType, details: FieldDetailsList) -> Complete | None:
        if object_type.is_type_of is not None:
            return None
        grouped, deferred, forbidden = self.collect_subfields(object_type, details)
        if deferred or forbidden:
            return None
        fields: list[tuple[str, str | None, Complete]] = []
        for response_key, sub_details in grouped.items():
            node = sub_details[0].node
            name = node.name.value
            if name == "__typename":
                fields.append((response_key, None, _typename(object_type.name)))
                continue
            field_def = object_type.fields.get(name)
            if field_def is None or node.arguments or field_def.args:
                return None
            definition = field_def.extensions.get("strawberry-definition")
            if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
                return None
            if definition.permission_classes or definition.default_resolver is not getattr:
                return None
            complete = self._plan(field_def.type, sub_details)
            if complete is None:
                return None
            fields.append((response_key, definition.python_name, complete))

        build = _dict_builder(fields)
        # An object met again (a connector on every day) is completed once. Each entry keeps its source
        # alive, so no other object can take its id while this request runs.
        done: dict[int, tuple[Any, dict[str, Any]]] = {}

        def obj(source: Any) -> dict[str, Any]:
            if source is None:
                raise _Slow
            found = done.get(id(source))
            if found is None:
                completed = build(source)
                done[id(source)] = (source, completed)
                return completed
            return found[1]

        return obj


def _dict_builder(fields: list[tuple[str, str | None, Complete]]) -> Callable[[Any], dict[str, Any]]:
    """One function that reads every selected attribute and completes it into the response's dict, in
    selection order: `{"day": c0(s.day), "volume": c1(s.volume), ...}`."""
    make = _builder_factory(tuple((key, attribute) for key, attribute, _ in fields))
    return make(*(complete for _, _, complete in fields))


@functools.lru_cache(maxsize=1024)
def _builder_factory(shape: tuple[tuple[str, str | None], ...]) -> Callable[..., Callable[[Any], dict[str, Any]]]:
    """Compiled once per selection shape. Response keys are GraphQL names and attributes Python
    identifiers; both are written as `repr` literals or attribute names, never as code."""
    items, completes = [], []
    for n, (key, attribute) in enumerate(shape):
        completes.append(f"c{n}")
        if attribute is None:
            read = "s"  # __typename
        elif attribute.isidentifier() and not keyword.iskeyword(attribute):
            read = f"s.{attribute}"
        else:
            read = f"getattr(s, {attribute!r})"
        items.append(f"{key!r}: c{n}({read})")
    source = (
        f"def make({', '.join(completes)}):\n"
        f"    def build(s):\n"
        f"        return {{{', '.join(items)}}}\n"
        f"    return build\n"
    )
    scope: dict[str, Any] = {}
    exec(source, scope)
    made: Callable[..., Callable[[Any], dict[str, Any]]] = scope["make"]
    return made
