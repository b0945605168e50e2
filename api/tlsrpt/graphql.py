"""GraphQL fields for reports that arrive by themselves, mixed into the roots (api/schema.py): the HTTPS
reporting endpoints and the mailboxes polled (admin keys), as REST /api/v1/tlsrpt-endpoints and /api/v1/mailboxes,
and the accepted domains (REST /api/v1/accepted-domains; any key reads them, admin keys change them)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.context import AppState
from api.roots.access import app_state
from api.tlsrpt import accepted_domains, endpoints, mailboxes
from api.types.accepted_domain import AcceptedDomain
from api.types.mailbox import Mailbox, MailboxInput, MailboxTestResult
from api.types.tlsrpt_endpoint import TlsrptEndpoint
from core.arguments import endpoint_id_argument, mailbox_id_argument


def _admin(info: Info, role: str = "admin") -> AppState:
    """The request's state, once its key is allowed `role` (admin: these fields but the accepted domains)."""
    return app_state(info, role)


def _base(info: Info) -> str:
    return str(info.context["request"].base_url)


@strawberry.type
class ReportSourceQuery:
    @strawberry.field(description="The HTTPS reporting endpoints and what each received (admin keys; no URLs).")
    async def tlsrpt_endpoints(self, info: Info) -> list[TlsrptEndpoint]:
        return [TlsrptEndpoint.of(e) for e in await endpoints.list_all(_admin(info))]

    @strawberry.field(description="The mailboxes polled for TLS reports and what each received (admin keys).")
    async def mailboxes(self, info: Info) -> list[Mailbox]:
        return [Mailbox.of(m) for m in await mailboxes.list_all(_admin(info))]

    @strawberry.field(description="The organization's accepted domains (none listed: every TLS report counts).")
    async def accepted_domains(self, info: Info) -> list[AcceptedDomain]:
        return [AcceptedDomain.of(d) for d in await accepted_domains.list_all(_admin(info, "reader"))]


@strawberry.type
class ReportSourceMutation:
    @strawberry.mutation(description="A new reporting URL and the TXT record to publish (shown only now).")
    async def create_tlsrpt_endpoint(self, info: Info, description: str = "") -> TlsrptEndpoint:
        made = await endpoints.create(_admin(info), {"description": description}, _base(info))
        return TlsrptEndpoint.of(made.endpoint, made.url, made.txt_record)

    @strawberry.mutation(description="A new URL for a reporting endpoint; the old one stops working at once.")
    async def rotate_tlsrpt_endpoint(self, info: Info, id: strawberry.ID) -> TlsrptEndpoint:
        made = await endpoints.rotate(_admin(info), endpoint_id_argument(id), _base(info))
        return TlsrptEndpoint.of(made.endpoint, made.url, made.txt_record)

    @strawberry.mutation(description="Remove a reporting endpoint (its URL stops working); returns its id.")
    async def delete_tlsrpt_endpoint(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        await endpoints.remove(_admin(info), endpoint_id_argument(id))
        return id

    @strawberry.mutation(
        description="Add an accepted domain (normalised; its subdomains count too); adding it again changes nothing."
    )
    async def add_accepted_domain(self, info: Info, domain: str) -> AcceptedDomain:
        made, _ = await accepted_domains.add(_admin(info), {"domain": domain})
        return AcceptedDomain.of(made)

    @strawberry.mutation(description="Remove an accepted domain; returns it, normalised.")
    async def remove_accepted_domain(self, info: Info, domain: str) -> str:
        return await accepted_domains.remove(_admin(info), domain)

    @strawberry.mutation(description="Add a mailbox to poll for TLS reports (its password kept encrypted).")
    async def create_mailbox(self, info: Info, mailbox: MailboxInput) -> Mailbox:
        return Mailbox.of(await mailboxes.create(_admin(info), mailbox.json()))

    @strawberry.mutation(description="Stop polling a mailbox and forget it; returns its id.")
    async def delete_mailbox(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        await mailboxes.remove(_admin(info), mailbox_id_argument(id))
        return id

    @strawberry.mutation(description="Poll a mailbox now and say how it went.")
    async def test_mailbox(self, info: Info, id: strawberry.ID) -> MailboxTestResult:
        found = await mailboxes.poll_now(_admin(info), mailbox_id_argument(id))
        return MailboxTestResult(
            ok=found["ok"],
            error=found["error"],
            messages=found["messages"],
            reports=found["reports"],
            mailbox=Mailbox.of(found["mailbox"]),
        )
