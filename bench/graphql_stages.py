"""Where an uncached GraphQL request's time goes, stage by stage, in one process (no sockets).

    DATABASE_URL=postgresql://postgres@127.0.0.1/postgres python -m bench.graphql_stages [--messages N] \
        [--before REF]

Loads one organization as bench/versus_postgraphile.py does, then, for each of its four views, times in
alternating rounds (medians of this process's CPU microseconds per request): the view's SQL alone through
the tenant pool (acquire, bind, one round trip), graphql-core's parse and validation (what the caches save),
strawberry's `Schema.execute` (its cached parse and validation, its extensions, execution with the resolvers
and their SQL), graphql-core's `execute` of the parsed document alone (the same executor class and
resolvers), the same with graphql-core's own completion (strawberry's executor class, no plans), the
answer's shaping (`process_result`) and its serialization (orjson); then the whole app in process (httpx's
ASGI transport: middleware, authentication, the GraphQL app or the REST route) for GraphQL and REST, the
figure the issue's target compares. With `--before REF`, api/executor.py of that git revision is timed
beside this one (`Schema.execute` and the whole app), in the same rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import orjson
from graphql import parse, validate
from graphql.execution import execute
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

import api.schema
from api.app import create_app
from api.context import AppState
from api.graphql_errors import located, refusal
from api.loaders import Loaders
from api.schema import build_schema, documents_for, validation_rules
from api.settings import Settings
from bench.common import drop_database, machine, scratch_database, server_url, table
from bench.reports import load, statements
from bench.versus_postgraphile import VIEWS
from db.keys import create_key
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


def executor_of(ref: str) -> type[Any]:
    """LeanExecutor as api/executor.py (and api/plans.py, if it has one) of git revision `ref` define it."""
    folder = tempfile.mkdtemp(prefix="mailflow-executor-")
    package = f"before_{abs(hash(ref))}"
    for name in ("plans", "executor"):
        shown = subprocess.run(["git", "show", f"{ref}:api/{name}.py"], capture_output=True, text=True)
        if shown.returncode != 0:
            continue
        source = shown.stdout.replace("from api.plans import", f"from {package}_plans import")
        source = source.replace("from api import plans", f"import {package}_plans as plans")
        path = f"{folder}/{package}_{name}.py"
        with open(path, "w") as file:
            file.write(source)
        spec = importlib.util.spec_from_file_location(f"{package}_{name}", path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    found: type[Any] = sys.modules[f"{package}_executor"].LeanExecutor
    return found


def app_client(settings: Settings, app: AppState, token: str, executor: type[Any] | None) -> httpx.AsyncClient:
    """The whole app in process; `executor` in place of LeanExecutor if given."""
    current = getattr(api.schema, "LeanExecutor")  # noqa: B009  # build_schema reads it when the app is made
    if executor is not None:
        setattr(api.schema, "LeanExecutor", executor)  # noqa: B010
    try:
        made = create_app(settings, state=app)
    finally:
        setattr(api.schema, "LeanExecutor", current)  # noqa: B010
    transport = httpx.ASGITransport(app=made, raise_app_exceptions=True)
    headers = {"authorization": f"Bearer {token}"}
    return httpx.AsyncClient(transport=transport, base_url="http://mailflow.bench", headers=headers)


async def stages(dsn: str, org_id: int, before: str | None) -> list[list[object]]:
    settings = Settings(cache_bytes=0, rate_limit=1_000_000, rate_burst=1_000_000, key_cache_seconds=60)
    rules = validation_rules(settings)
    schema = build_schema(settings, documents_for(settings, rules))
    old = build_schema(settings, documents_for(settings, rules))
    old_executor = executor_of(before) if before else None
    if old_executor is not None:
        old.execution_context_class = old_executor
    core = schema._schema
    executor = schema.execution_context_class
    db = await open_database(dsn, 4)
    app = AppState(settings=settings, db=db, org_id=org_id)
    token = await create_key(db.system, org_id, "admin", "bench")
    clients = {"after": app_client(settings, app, token, None)}
    if old_executor is not None:
        clients["before"] = app_client(settings, app, token, old_executor)
    pool = app.pool
    sql = statements(org_id)
    figures: dict[tuple[str, str], list[float]] = {}
    for _ in range(ROUNDS):
        for view, (query, rest, _) in VIEWS.items():
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

            async def through_strawberry(query: str = query, schema: Any = schema) -> Any:
                result = await schema.execute(query, context_value=context())
                assert not result.errors, result.errors
                return result

            async def before_strawberry(query: str = query) -> Any:
                return await through_strawberry(query, old)

            async def executing(document: Any = document, executor: type[Any] = executor) -> Any:
                result = execute(core, document, context_value=context(), executor_class=executor)
                return await result if asyncio.iscoroutine(result) else result

            async def plainly(document: Any = document) -> Any:
                return await executing(document, StrawberryGraphQLCoreExecutionContext)

            result = await through_strawberry()

            async def shaping(result: Any = result) -> Any:
                data: dict[str, Any] = {"data": result.data}
                if result.errors:
                    data["errors"] = [refusal(e, None).graphql(located(e)) for e in result.errors]  # type: ignore[arg-type]
                return data

            async def serializing(result: Any = result) -> Any:
                return orjson.dumps({"data": result.data})

            def over_http(client: httpx.AsyncClient, query: str = query) -> Callable[[], Awaitable[Any]]:
                async def post() -> Any:
                    response = await client.post("/graphql", json={"query": query})
                    assert response.status_code == 200, response.text
                    assert b'"errors"' not in response.content, response.text
                    return response

                return post

            async def rest_over_http(path: str = rest) -> Any:
                response = await clients["after"].get(path)
                assert response.status_code == 200, response.text
                return response

            steps: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
                ("SQL alone (pool)", round_trip),
                ("parse (uncached)", parsing),
                ("validate (uncached)", validation),
                ("Schema.execute (all but HTTP)", through_strawberry),
                ("graphql-core execute", executing),
                ("graphql-core execute, no plans", plainly),
                ("process_result", shaping),
                ("orjson", serializing),
                ("app in process: GraphQL", over_http(clients["after"])),
                ("app in process: REST", rest_over_http),
            ]
            if old_executor is not None:
                steps[4:4] = [(f"Schema.execute, {before}'s executor", before_strawberry)]
                steps.append((f"app in process: GraphQL, {before}'s executor", over_http(clients["before"])))
            for stage, step in steps:
                figures.setdefault((view, stage), []).append(await timed(step))
    for client in clients.values():
        await client.aclose()
    await db.close()
    return [[view, stage, f"{statistics.median(runs):,.0f}"] for (view, stage), runs in figures.items()]


async def main_async(messages: int, before: str | None) -> list[list[object]]:
    url = server_url()
    dsn = await scratch_database(url, "mailflow_bench_stages")
    try:
        org_id = await load(dsn, messages)
        from api.insights.evaluate import evaluate_all

        db = await open_database(dsn, 2)
        await evaluate_all(db)
        await db.close()
        return await stages(dsn, org_id, before)
    finally:
        await drop_database(url, dsn)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--before", help="a git revision whose api/executor.py to time beside this one")
    args = parser.parse_args()
    rows = asyncio.run(main_async(args.messages, args.before))
    print(f"\nGraphQL stages, CPU µs per request (median of {ROUNDS} alternating rounds of {REQUESTS}); {machine()}")
    print(table(["view", "stage", "CPU µs"], rows))


if __name__ == "__main__":
    main()
