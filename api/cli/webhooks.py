"""`mailflow webhooks`: add, list, remove and test webhook subscriptions."""

from __future__ import annotations

import argparse
from typing import Any

from api.cli.common import ORG_HELP, CliError, add_json_flag, run_for_organization, show_rows
from api.context import AppState
from api.settings import Settings
from api.webhooks.worker import sending
from core.webhooks import SUBSCRIBABLE
from services import webhooks as service


def cmd_webhooks(args: argparse.Namespace, settings: Settings) -> None:
    async def work(state: AppState) -> None:
        if args.action == "add":
            body: dict[str, Any] = {"url": args.url, "description": args.description}
            if args.event:
                body["events"] = args.event
            created = await service.create(state.pool, state.org_id, sending(state.db, settings, state.org_id), body)
            made = created.subscription
            print(f"created webhook {made.id}: {made.url} for {', '.join(made.events)}")
            print(f"signing secret, shown once (keep it with the receiver): {created.secret}")
        elif args.action == "remove":
            await service.remove(state.pool, state.org_id, args.id)
            print(f"removed webhook {args.id} and its deliveries")
        elif args.action == "test":
            result = await service.test(state.pool, state.org_id, sending(state.db, settings, state.org_id), args.id)
            answer = f"answered {result.status_code}" if result.status_code is not None else result.error
            if result.delivered:
                print(f"ping delivered to webhook {args.id} ({answer}, {result.duration_ms} ms)")
            else:
                raise CliError(f"the ping to webhook {args.id} was not delivered: {answer}")
        else:
            rows = [
                {
                    "id": w.id,
                    "enabled": w.enabled,
                    "url": w.url,
                    "events": ",".join(w.events),
                    "description": w.description,
                    "disabled_reason": w.disabled_reason or "",
                }
                for w in await service.list_all(state.pool, state.org_id)
            ]
            empty = "no webhooks yet: add one with `mailflow webhooks add https://...`"
            show_rows(args, ["id", "enabled", "url", "events", "description", "disabled_reason"], rows, empty)

    run_for_organization(settings, work, args.org, quiet=getattr(args, "json", False))


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    webhooks = sub.add_parser(
        "webhooks",
        help="add, list, remove or test webhook subscriptions",
        description="Webhooks: insight events and TLS reports POSTed to your URL as they happen, signed "
        "(Standard Webhooks), retried for 24 h. The running servers deliver them.",
    )
    actions = webhooks.add_subparsers(dest="action", required=True, metavar="ACTION")
    listed = actions.add_parser("list", help="list the webhooks", description="List the organization's webhooks.")
    listed.add_argument("--org", help=ORG_HELP)
    add_json_flag(listed)
    add = actions.add_parser(
        "add", help="subscribe a URL", description="Subscribe a URL to events; prints its signing secret once."
    )
    add.add_argument("url", help="https:// URL resolving to public addresses (MAILFLOW_WEBHOOK_ALLOW_PRIVATE=on: any)")
    add.add_argument(
        "--event",
        action="append",
        default=[],
        choices=SUBSCRIBABLE,
        metavar="TYPE",
        help=f"an event to send (repeatable; default: all): {', '.join(SUBSCRIBABLE)}",
    )
    add.add_argument("--description", default="", help="what it is for")
    add.add_argument("--org", help=ORG_HELP)
    remove = actions.add_parser("remove", help="remove a webhook", description="Remove a webhook and its deliveries.")
    remove.add_argument("id", type=int, help="the webhook's id (`mailflow webhooks list`)")
    remove.add_argument("--org", help=ORG_HELP)
    test = actions.add_parser(
        "test", help="send a ping", description="Send a webhook a ping now and say how it answered (exit 1 if not 2xx)."
    )
    test.add_argument("id", type=int, help="the webhook's id (`mailflow webhooks list`)")
    test.add_argument("--org", help=ORG_HELP)
    webhooks.set_defaults(func=cmd_webhooks)
