"""A lean execution path for subtrees of plain data, planned once per operation.

graphql-core completes every field through its general machinery (resolver lookup, resolve info, awaitable
checks, paths): ~6 µs per field, 25 ms for a 7-day connector report of ~200 rows x 17 fields. Most fields
are plain data: strawberry fields without a resolver, arguments, permissions or extensions, read from the
attribute of the same name. When a resolver returns a value whose whole selection is plain data (the
summary's object with its lists, the report's rows), `LeanExecutor` completes it with a plan
(api/plans.py) compiled once per operation and Boolean variable values, through graphql-core's own field
collection, so only the fields with resolvers go through graphql-core's per-field path.

Anything unusual takes graphql-core's path for that value, so answers and errors stay exactly the same: a
selection with a resolver field or arguments, directives other than `@include`/`@skip`, `@defer`/`@stream`,
middleware, interfaces and unions, and any null in a non-null position or value a scalar does not accept
(then graphql-core reports the error with its path). tests/graphql/conftest.py runs every GraphQL request
of tests/graphql/ through graphql-core's path too and compares the answers and errors.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from graphql import (
    DocumentNode,
    Executor,
    GraphQLError,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    GraphQLSchema,
    get_operation_ast,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from api import plans
from api.graphql_errors import blame_input
from api.plans import Complete, Entry, Plans, Slow

# Each schema's plans, freed with it (a test suite makes many schemas).
PLANS: weakref.WeakKeyDictionary[GraphQLSchema, Plans] = weakref.WeakKeyDictionary()
# Tests set it (tests/graphql/differential.py): then every value a plan completes is completed by graphql-core's
# path as well, and both are handed to it (with the field's info) to compare.
differential: Callable[[GraphQLResolveInfo[Any], Any, Any], None] | None = None
_FIELD_DIRECTIVES = frozenset({"include", "skip"})  # applied by field collection; others: graphql-core's path


class LeanExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor (as strawberry configures it) with the plain-data fast path."""

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
        nullable = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        if result is not None and not isinstance(nullable, GraphQLLeafType):
            plan = self.plan(return_type, field_details_list)
            if plan is not None:
                try:
                    completed = plan(result, {})
                except Slow:
                    pass  # graphql-core completes it again and reports the error where it is
                else:
                    if differential is not None:
                        plain = super().complete_value(
                            return_type, field_details_list, info, path, result, position_context
                        )
                        differential(info, completed, plain)
                    return completed
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    def plan(self, return_type: GraphQLOutputType, details: FieldDetailsList) -> Complete | None:
        """The plan completing values of this type for this selection (None: graphql-core's path), compiled
        at the first request of this operation that needs it."""
        entry: Entry | None = self.__dict__.get("lean_entry")
        if entry is None:
            manager = self.middleware_manager
            if manager is not None and manager.middlewares:
                return None  # middleware sees every field
            entry = self.__dict__["lean_entry"] = self.entry()
        if len(details) == 1:
            key: tuple[int, ...] = (id(return_type), id(details[0].node))
        else:
            key = (id(return_type), *(id(d.node) for d in details))
        try:
            return entry.plans[key]
        except KeyError:
            # Keyed by ids of the type (the schema's, alive while its plans can be found) and of field nodes
            # (kept by the operation and the fragments the entry keeps), so no other object has their ids.
            plan = entry.plans[key] = self.compile(return_type, details)
            return plan

    def entry(self) -> Entry:
        """This operation's plans, under this request's Boolean variable values (which `@include` and
        `@skip` read; no other variable changes a selection whose fields take no arguments)."""
        fragments = tuple(f.definition for f in self.fragments.values())
        switches = tuple(
            (name, value)
            for name, value in self.variable_values.coerced.items()
            if value is None or value is True or value is False
        )
        key = (id(self.operation), tuple(map(id, fragments)), switches)
        return plans_of(self.schema).entry(key, (self.operation, fragments))

    def compile(self, return_type: GraphQLOutputType, details: FieldDetailsList, item: bool = False) -> Complete | None:
        """A function completing a value of this type for this selection, or None if not plain data (`item`:
        the value is an item of a list)."""
        if isinstance(return_type, GraphQLNonNull):
            return self.compile_present(return_type.of_type, details, item)  # which refuses None
        nullable = self.compile_present(return_type, details, item)
        return None if nullable is None else plans.maybe(nullable)

    def compile_present(self, return_type: GraphQLOutputType, details: FieldDetailsList, item: bool) -> Complete | None:
        """The plan for a value that is not None (None raises `Slow`)."""
        if isinstance(return_type, GraphQLList):
            each = self.compile(return_type.of_type, details, item=True)
            return None if each is None else plans.each(each)
        if isinstance(return_type, GraphQLObjectType):
            return self.compile_object(return_type, details, item)
        if isinstance(return_type, GraphQLLeafType):
            return plans.leaf(return_type)
        return None  # interfaces and unions: graphql-core resolves the runtime type

    def compile_object(self, object_type: GraphQLObjectType, details: FieldDetailsList, item: bool) -> Complete | None:
        if object_type.is_type_of is not None:
            return None
        if any(d.defer_usage is not None or d.fragment_variable_values is not None for d in details):
            return None
        grouped, deferred, forbidden = self.collect_subfields(object_type, details)
        if deferred or forbidden:
            return None
        fields: list[tuple[str, str | None, Complete]] = []
        for response_key, sub_details in grouped.items():
            nodes = [d.node for d in sub_details]
            if any(d.name.value not in _FIELD_DIRECTIVES for node in nodes for d in node.directives or ()):
                return None
            name = nodes[0].name.value
            if name == "__typename":
                fields.append((response_key, None, plans.typename(object_type.name)))
                continue
            field_def = object_type.fields.get(name)
            if field_def is None or field_def.args or any(node.arguments for node in nodes):
                return None
            definition = field_def.extensions.get("strawberry-definition")
            if not isinstance(definition, StrawberryField) or not definition.is_basic_field:
                return None
            if definition.permission_classes or definition.default_resolver is not getattr:
                return None
            complete = self.compile(field_def.type, sub_details)
            if complete is None:
                return None
            fields.append((response_key, definition.python_name, complete))
        return plans.obj(fields, shared=not item)


def plans_of(schema: GraphQLSchema) -> Plans:
    found = PLANS.get(schema)
    if found is None:
        found = PLANS[schema] = Plans()
    return found
