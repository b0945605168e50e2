"""Where an uncached GraphQL request's time goes, stage by stage, in one process (no HTTP).

    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres python -m bench.graphql_stages [--messages N]

Loads one organization as bench/versus_postgraphile.py does, then, for each of its four views, times in
alternating rounds (medians of this process's CPU microseconds per request): the view's SQL alone through
the tenant pool (acquire, bind, one round trip), graphql-core's parse and validation (what the caches save),
strawberry's `Schema.execute` (its cached parse and validation, its extensions, execution with the resolvers and their
SQL), graphql-core's `execute` of the parsed document alone (the same executor class and resolvers), the
answer's shaping (`process_result`) and its serialization (orjson). What the HTTP layer and the key's
check add is the rest of what wrk measures (bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from graphql import parse, validate
from graphql.execution import execute

from api.context import AppState
from api.graphql_errors import located, refusal
from api.loaders import Loaders
from api.schema import build_schema, documents_for, validation_rules
from api.settings import Settings
from bench.common import drop_database, machine, scratch_database, server_url, table
from bench.reports import load, statements
from bench.versus_postgraphile import VIEWS
from db.pool import open_database

ROUNDS = 5
REQUESTS = 300


async def timed(step: Callable[[], Awaitable[Any]], n: int = REQUESTS) -> float:
    """This process's CPU microseconds per call, over `n` calls (CPU, not wall time: other processes load
    the machine; the database's own time is not in it)."""
    started = time.process_time()
    for _ in range(n):
        await step()
    return (time.process_time() - started) / n * 1e6


async def stages(dsn: str, org_id: int) -> list[list[object]]:
    settings = Settings(cache_bytes=0)
    rules = validation_rules(settings)
    schema = build_schema(settings, documents_for(settings, rules))
    core = schema._schema
    executor = schema.execution_context_class
    db = await open_database(dsn, 4)
    app = AppState(settings=settings, db=db, org_id=org_id)
    pool = app.pool
    sql = statements(org_id)
    figures: dict[tuple[str, str], list[float]] = {}
    for _ in range(ROUNDS):
        for view, (query, _, _) in VIEWS.items():
            document = parse(query)

            def context() -> dict[str, Any]:
                return {"app": app, "request": None, "loaders": Loaders(app)}

            async def round_trip(view: str = view) -> Any:
                text, args = sql[view]
                return await pool.fetch(text, *args)

            async def parsing(query: str = query) -> Any:
                return parse(query)

            async def validation(document: Any = document) -> Any:
                return validate(core, document, rules)

            async def through_strawberry(query: str = query) -> Any:
                return await schema.execute(query, context_value=context())

            async def executing(document: Any = document) -> Any:
                result = execute(core, document, context_value=context(), executor_class=executor)
                return await result if asyncio.iscoroutine(result) else result

            result = await through_strawberry()
            assert not result.errors, result.errors

            async def shaping(result: Any = result) -> Any:
                data: dict[str, Any] = {"data": result.data}
                if result.errors:
                    data["errors"] = [refusal(e, None).graphql(located(e)) for e in result.errors]  # type: ignore[arg-type]
                return data

            async def serializing(result: Any = result) -> Any:
                return orjson.dumps({"data": result.data})

            for stage, step in (
                ("SQL alone (pool)", round_trip),
                ("parse (uncached)", parsing),
                ("validate (uncached)", validation),
                ("Schema.execute (all but HTTP)", through_strawberry),
                ("graphql-core execute", executing),
                ("process_result", shaping),
                ("orjson", serializing),
            ):
                figures.setdefault((view, stage), []).append(await timed(step))
    await db.close()
    return [[view, stage, f"{statistics.median(runs):,.0f}"] for (view, stage), runs in figures.items()]


async def main_async(messages: int) -> list[list[object]]:
    url = server_url()
    dsn = await scratch_database(url, "mailflow_bench_stages")
    try:
        org_id = await load(dsn, messages)
        from api.insights.evaluate import evaluate_all

        db = await open_database(dsn, 2)
        await evaluate_all(db)
        await db.close()
        return await stages(dsn, org_id)
    finally:
        await drop_database(url, dsn)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    args = parser.parse_args()
    rows = asyncio.run(main_async(args.messages))
    print(f"\nGraphQL stages, CPU µs per request (median of {ROUNDS} alternating rounds of {REQUESTS}); {machine()}")
    print(table(["view", "stage", "CPU µs"], rows))


if __name__ == "__main__":
    main()
