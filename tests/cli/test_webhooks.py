"""`mailflow webhooks add|list|remove|test`, run as a user would."""

from __future__ import annotations

import uuid

import asyncpg
import orjson

from db.organizations import ensure_organization
from tests.cli.helpers import clean_env, mailflow
from tests.webhooks.receiver import receiver, verify


async def test_add_list_test_remove(dsn: str, pool: asyncpg.Pool) -> None:
    org = f"cli-{uuid.uuid4().hex[:8]}"
    await ensure_organization(pool, org)
    env = clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=org, MAILFLOW_WEBHOOK_ALLOW_PRIVATE="on")
    with receiver() as hook:
        added = mailflow("webhooks", "add", hook.url, "--event", "insight.created", "--description", "pager", env=env)
        assert added.returncode == 0, added.stderr
        created, secret_line = added.stdout.splitlines()[1:]
        assert created.startswith("created webhook ")
        assert created.endswith(f": {hook.url} for insight.created")
        webhook_id = created.split()[2].rstrip(":")
        secret = secret_line.rsplit(" ", 1)[1]
        assert secret.startswith("whsec_")

        (listed,) = orjson.loads(mailflow("webhooks", "list", "--json", env=env).stdout)
        assert listed["id"] == int(webhook_id)
        assert listed["url"] == hook.url
        assert listed["events"] == "insight.created"
        assert listed["enabled"] is True
        table = mailflow("webhooks", "list", env=env).stdout.splitlines()
        assert table[1].split() == ["ID", "ENABLED", "URL", "EVENTS", "DESCRIPTION", "DISABLED_REASON"]

        tested = mailflow("webhooks", "test", webhook_id, env=env)
        assert tested.returncode == 0, tested.stderr
        assert f"ping delivered to webhook {webhook_id} (answered 200" in tested.stdout
        (ping,) = hook.received
        assert verify(secret, ping.headers, ping.body)

        hook.answers = [500]
        failed = mailflow("webhooks", "test", webhook_id, env=env)
        assert failed.returncode == 1
        assert (
            failed.stderr.strip()
            == f"mailflow: error: the ping to webhook {webhook_id} was not delivered: answered 500"
        )

    removed = mailflow("webhooks", "remove", webhook_id, env=env)
    assert removed.returncode == 0, removed.stderr
    assert mailflow("webhooks", "list", "--json", env=env).stdout.strip() == "[]"
    again = mailflow("webhooks", "remove", webhook_id, env=env)
    assert again.returncode == 1
    assert again.stderr.strip() == f"mailflow: error: there is no webhook {webhook_id}"


async def test_a_refused_url_is_one_line(dsn: str, pool: asyncpg.Pool) -> None:
    org = f"cli-{uuid.uuid4().hex[:8]}"
    await ensure_organization(pool, org)
    refused = mailflow("webhooks", "add", "https://127.0.0.1/hook", env=clean_env(DATABASE_URL=dsn, MAILFLOW_ORG=org))
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "mailflow: error: the webhook is not valid: url: 127.0.0.1 is a loopback address: webhooks go to public "
        "addresses only (MAILFLOW_WEBHOOK_ALLOW_PRIVATE=on allows others)"
    )
