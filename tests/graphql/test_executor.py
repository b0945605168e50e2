"""The lean execution path must answer exactly what graphql-core answers, and be taken for plain lists."""

from __future__ import annotations

import asyncio
import enum
import gc
import weakref
from collections.abc import Awaitable
from datetime import date
from typing import Any

import httpx
import pytest
import strawberry
from graphql import FragmentDefinitionNode, OperationDefinitionNode, Token, execute, parse
from graphql.execution.collect_fields import FieldDetails, FieldDetailsList
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

import api.executor
from api.executor import PLANS, LeanExecutor, plans_of
from api.schema import build_schema
from api.settings import Settings
from tests.factories import garbage_left_by
from tests.graphql import differential


@strawberry.enum
class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Tag:
    name: str
    color: Color


@strawberry.type
class Item:
    id: strawberry.ID
    label: str
    day: date
    count: int
    share: float
    flag: bool
    note: str | None
    tag: Tag
    maybe_tag: Tag | None
    tags: list[Tag]

    @strawberry.field
    def shout(self) -> str:
        return self.label.upper()

    @strawberry.field
    def children(self, n: int = 2) -> list[Tag]:
        # fresh objects on every call: a plan reused across lists must not mix them up
        return [Tag(name=f"{self.label}-{i}", color=Color.BLUE) for i in range(n)]


@strawberry.type
class Box:
    item: Item
    items: list[Item]
    count: int


SHARED = Tag(name="shared", color=Color.RED)


def _items(broken: bool = False) -> list[Item]:
    items = [
        Item(
            id=strawberry.ID(str(n)),
            label=f"item {n}",
            day=date(2026, 11, 1 + n % 28),
            count=n * 7,
            share=n / 3,
            flag=n % 2 == 0,
            note=None if n % 3 else f"note {n}",
            tag=SHARED if n % 2 else Tag(name=f"own {n}", color=Color.BLUE),
            maybe_tag=None if n % 4 else SHARED,
            tags=[SHARED, Tag(name=f"t{n}", color=Color.BLUE)],
        )
        for n in range(40)
    ]
    if broken:
        items[17].label = None  # type: ignore[assignment]  # a null in a non-null position
    return items


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return _items()

    @strawberry.field
    def broken(self) -> list[Item]:
        return _items(broken=True)

    @strawberry.field
    def one(self) -> Box:
        return Box(item=_items()[5], items=_items()[:3], count=3)

    @strawberry.field
    def big(self) -> list[Item]:
        items = _items()
        items[3].count = 2**40  # outside GraphQL's Int
        return items


class Counting(LeanExecutor):
    """Counts the fields graphql-core executes itself."""

    executed = 0

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        Counting.executed += 1
        return super().execute_field(*args, **kwargs)


def _run(query: str, executor: type[Any], variables: dict[str, Any] | None = None) -> dict[str, Any]:
    schema = strawberry.Schema(query=Query, execution_context_class=executor)
    result = schema.execute_sync(query, variable_values=variables)
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [e.formatted for e in result.errors]
    return body


QUERIES = [
    "{ items { id label day count share flag note tag { name color } maybeTag { name } tags { name color } } }",
    "{ items { a: label b: label __typename tag { __typename n: name } } }",
    "query ($on: Boolean!) { items { label @include(if: $on) count @skip(if: $on) ...F ... on Item { flag } } }"
    " fragment F on Item { tag { ...T } } fragment T on Tag { name color }",
    "{ items { label shout children { name } } }",  # resolver fields: graphql-core's path
    "{ items { label children(n: 3) { name color } } }",  # one plan, a fresh list per item
    "{ broken { label count } }",
    "{ broken { count tag { name } } }",  # the broken field is not selected
    "{ big { label count } }",
    "{ one { count item { label tag { name } } items { id day } } }",  # an object of plain data above lists
    "query ($on: Boolean!) { one { count @include(if: $on) item @skip(if: $on) { label } items { id } } }",
    "{ one { item { label shout } items { label } } }",  # a resolver field below: graphql-core's path
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("on", [True, False])
def test_lean_answers_exactly_what_graphql_core_answers(query: str, on: bool) -> None:
    variables = {"on": on} if "$on" in query else None
    lean = _run(query, LeanExecutor, variables)
    plain = _run(query, StrawberryGraphQLCoreExecutionContext, variables)
    assert lean == plain
    assert lean["data"] is not None or "errors" in lean


def test_null_in_a_non_null_position_is_reported_where_it_is() -> None:
    body = _run("{ broken { label } }", LeanExecutor)
    assert body["data"] is None
    assert body["errors"][0]["path"] == ["broken", 17, "label"]


def test_plain_lists_skip_graphql_cores_per_field_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api.executor, "differential", None)  # which runs graphql-core's path as well
    Counting.executed = 0
    _run("{ items { id label day count share flag note tag { name color } tags { name } } }", Counting)
    assert Counting.executed == 1  # only the root field: 40 items x 11 fields are completed by the plan
    Counting.executed = 0
    _run("{ items { label shout } }", Counting)
    assert Counting.executed == 1 + 40 * 2  # a resolver field in the selection: graphql-core's path


def test_a_shared_object_is_completed_once_and_equal_everywhere() -> None:
    body = _run("{ items { tag { name color } tags { name } } }", LeanExecutor)
    items = body["data"]["items"]
    assert items[1]["tag"] == {"name": "shared", "color": "RED"}
    assert items[1]["tag"] is items[3]["tag"]  # the same completed object, not recomputed
    assert items[0]["tag"] == {"name": "own 0", "color": "BLUE"}


def _count_compiles(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one for each plan (and sub-plan) compiled."""
    made: list[int] = []
    original = LeanExecutor.compile

    def counting(self: LeanExecutor, return_type: Any, details: FieldDetailsList, item: bool = False) -> Any:
        made.append(1)
        return original(self, return_type, details, item)

    monkeypatch.setattr(LeanExecutor, "compile", counting)
    return made


def test_plan_keys_are_per_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    made = _count_compiles(monkeypatch)
    _run("{ items { label children(n: 3) { name } } }", LeanExecutor)
    assert 0 < len(made) < 40  # planned once per selection, not once for each of the 40 items' lists


async def test_a_request_leaves_no_reference_cycles(client: httpx.AsyncClient, traffic: dict[str, Any]) -> None:
    """Everything a GraphQL request made, answered or refused, is freed as soon as it is answered (see
    `garbage_left_by`). The one exception: a document that fails to parse leaves its few tokens, which
    graphql-core's lexer links both ways."""
    window = '(from: "2026-11-02T00:00:00Z", to: "2026-11-06T00:00:00Z")'
    queries = [
        f"{{ connectorReport{window} {{ rows {{ day connector {{ name }} volume tls10 }} totals {{ volume }} }} }}",
        f"{{ tlsBreakdown{window} {{ total daily {{ day versions {{ tlsVersion share }} }} }} }}",
        "{ mailFlowSummary { inbound { total versions { tlsVersion messages share } } } }",
        f"{{ connectors {{ name report{window} {{ total versions {{ tlsVersion }} }} }} }}",
        "{ insights(status: ALL) { id title } }",
    ]
    ingest = "mutation ($r: [MessageInput!]!) { ingestMessages(records: $r) { accepted duplicates } }"
    record = {
        "messageId": "m-cycle",
        "receivedAt": "2026-11-03T10:00:00Z",
        "direction": "INBOUND",
        "tlsVersion": "TLSv1",
    }
    refused = [
        '{ tlsBreakdown(timeZone: "Nowhere/Special") { total } }',  # a resolver's BAD_USER_INPUT
        '{ connectorReport(connectorType: INTERNET, from: "2026-01-01T00:00:00Z") { rows { day } } }',  # window
        "{ tlsBreakdown { nosuchfield } }",  # a validation error
        "{ tlsBreakdown { ",  # a syntax error
    ]

    async def requests() -> None:
        for query in queries:
            assert "errors" not in (await client.post("/graphql", json={"query": query})).json()  # direct path
            assert "errors" not in (await client.get("/graphql", params={"query": query})).json()  # strawberry's
        answer = await client.post("/graphql", json={"query": ingest, "variables": {"r": [record]}})
        assert "errors" not in answer.json()
        for query in refused:
            assert (await client.post("/graphql", json={"query": query})).json()["errors"]
            assert (await client.get("/graphql", params={"query": query})).json()["errors"]

    left = await garbage_left_by(requests)
    assert [t for t in left if t != "graphql.language.ast.Token"] == []


def test_documents_of_distinct_texts_are_freed_without_the_cycle_collector() -> None:
    """The schema keeps the documents of 256 query texts (api/documents.py), then drops them: they are freed
    at once. Their tokens' back links made each a reference cycle that waited for a full collection, which
    the server's collector settings make rare, so clients sending distinct texts grew the process by tens
    of MiB (bench/soak.py)."""
    schema = build_schema(Settings())

    def text(n: int) -> str:
        return f"{{ __typename }} # {n}"

    def tokens() -> int:
        return sum(isinstance(o, Token) for o in gc.get_objects())

    gc.collect()
    others = tokens()  # other tests' apps and documents
    for n in range(256):
        assert schema.execute_sync(text(n)).errors is None
    gc.collect()  # what validation left; the kept documents now live as long as the collector's oldest
    kept = tokens() - others
    assert kept > 256
    assert schema.execute_sync(text(256)).errors is None  # drops the 256 documents
    assert tokens() - others < kept / 100


async def test_resolvers_can_use_the_executors_async_helpers() -> None:
    """The helpers reach the executor through a weak reference (no cycle); they still work in resolvers."""
    settled: list[int] = []

    async def later(n: int) -> int:
        await asyncio.sleep(0)
        settled.append(n)
        return n

    @strawberry.type
    class Helped:
        @strawberry.field
        async def gathered(self, info: strawberry.Info) -> list[int]:
            helpers = info._raw_info.async_helpers
            helpers.track([later(99)])  # settled before the execution completes
            result: list[int] = await helpers.gather([later(1), later(2)])
            return result

    schema = strawberry.Schema(query=Helped, execution_context_class=LeanExecutor)
    result = await schema.execute("{ gathered }")
    assert result.errors is None
    assert result.data == {"gathered": [1, 2]}
    assert sorted(settled) == [1, 2, 99]


def test_a_plan_is_never_taken_for_another_selection_that_reuses_an_id(monkeypatch: pytest.MonkeyPatch) -> None:
    """A selection list freed during the request can hand its id to another selection: plans are keyed by
    the ids of the field nodes (kept by the operation their entry keeps), not of graphql-core's lists, so
    the other selection gets its own plan (not graphql-core's memo of subfields either: it is given copies
    here)."""
    monkeypatch.setattr(api.executor, "differential", None)  # called without info or path

    class Forgetful(LeanExecutor):
        def collect_subfields(self, return_type: Any, field_details_list: FieldDetailsList) -> Any:
            return super().collect_subfields(return_type, list(field_details_list))

    schema = strawberry.Schema(query=Query, execution_context_class=Forgetful)
    core = schema._schema
    document = parse("{ items { label } other: items { count } }")
    built = Forgetful.build(core, document)
    assert isinstance(built, Forgetful)
    assert core.query_type is not None
    item_list = core.query_type.fields["items"].type
    label_node, count_node = document.definitions[0].selection_set.selections  # type: ignore[attr-defined]
    items = _items()
    label = [FieldDetails(label_node, None)]
    first = built.complete_value(item_list, label, None, None, items, None)  # type: ignore[arg-type]
    assert first[0] == {"label": "item 0"}
    kept: list[FieldDetailsList] = []  # lists until one takes the freed id (CPython reuses freed memory soon)
    freed = id(label)
    del label
    candidate = [FieldDetails(count_node, None)]
    while id(candidate) != freed and len(kept) < 10_000:
        kept.append(candidate)
        candidate = [FieldDetails(count_node, None)]
    second = built.complete_value(item_list, candidate, None, None, items, None)  # type: ignore[arg-type]
    assert second[0] == {"count": 0}


def _execute(schema: strawberry.Schema, document: Any, variables: dict[str, Any] | None = None) -> Any:
    result = execute(schema._schema, document, variable_values=variables, executor_class=Counting)
    assert not isinstance(result, Awaitable)
    return result


def test_plans_are_compiled_once_per_operation_and_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """A second request of the same parsed document compiles nothing (api/documents.py keeps documents by
    text); other values of its Boolean variables, or another document of the same text, have their own."""
    monkeypatch.setattr(api.executor, "differential", None)
    made = _count_compiles(monkeypatch)
    schema = strawberry.Schema(query=Query, execution_context_class=Counting)
    text = "query ($on: Boolean!) { one { count @include(if: $on) items { id } } }"
    document = parse(text)
    answers = []
    for on, compiled in ((True, True), (True, False), (False, True), (False, False), (True, False)):
        made.clear()
        Counting.executed = 0
        answers.append(_execute(schema, document, {"on": on}).data)
        assert bool(made) is compiled
        assert Counting.executed == 1  # the root field alone: the whole object is completed by its plan
    assert (
        answers[0]
        == answers[1]
        == answers[4]
        == {"one": {"count": 3, "items": [{"id": "0"}, {"id": "1"}, {"id": "2"}]}}
    )
    assert answers[2] == answers[3] == {"one": {"items": [{"id": "0"}, {"id": "1"}, {"id": "2"}]}}
    made.clear()
    _execute(schema, parse(text), {"on": True})
    assert made  # a document parsed again: its nodes are other objects


def test_plans_keep_what_their_keys_name() -> None:
    """An entry keeps the operation and the fragments whose ids key it, so no other document can take their
    ids (and another's plans) while it exists; the plans are bounded, and freed with their schema."""
    schema = strawberry.Schema(query=Query, execution_context_class=LeanExecutor)
    plans = plans_of(schema._schema)
    text = "{ one { count } ...F } fragment F on Query { items { id tag { color } } }"
    for n in range(plans.size):
        _execute(schema, parse(f"{text} # {n}"))
    assert len(plans.entries) == plans.size
    for entry in plans.entries.values():
        assert isinstance(entry.keep[0], OperationDefinitionNode)
        fragments = entry.keep[1]
        assert isinstance(fragments, tuple)
        assert [type(f) for f in fragments] == [FragmentDefinitionNode]
    _execute(schema, parse("{ one { count } } # one more"))
    assert len(plans.entries) == 1
    gone = weakref.ref(schema._schema)
    schemas = len(PLANS)
    del schema, plans
    gc.collect()
    assert gone() is None  # the plans did not keep it
    assert len(PLANS) == schemas - 1


def test_the_differential_check_sees_a_wrong_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugin (tests/graphql/differential.py) that compares every planned value with graphql-core's."""

    def wrong(self: LeanExecutor, return_type: Any, details: FieldDetailsList, item: bool = False) -> Any:
        return lambda value, memo: {"count": 4}

    monkeypatch.setattr(LeanExecutor, "compile", wrong)
    schema = strawberry.Schema(query=Query, execution_context_class=LeanExecutor)
    try:
        assert schema.execute_sync("{ one { count } }").data == {"one": {"count": 4}}
        assert any("Query.one at" in m for m in differential.mismatches)
    finally:
        differential.mismatches.clear()
