-- Mailboxes that TLS reports are mailed to (the `mailto:` of a domain's _smtp._tls record): any number per
-- organization, polled over IMAP by every server process (api/tlsrpt/poller.py). The password is kept
-- encrypted with the server's key, bound to the organization (api/webhooks/secrets.py). A process leases a
-- mailbox before it polls (leased_until), so two processes do not poll one mailbox at once; each message
-- handled is recorded by its IMAP UIDVALIDITY and UID, so it is handled once even when the process dies
-- between committing its report and moving it. The reports go through the one TLS report path.
-- No trigger, and no org_generations bump: nothing a cached GET shows is read from here.

create table mailboxes (
    org_id bigint not null references organizations on delete cascade,
    mailbox_id bigint generated always as identity,
    host text not null,
    port integer not null check (port between 1 and 65535),
    security text not null check (security in ('tls', 'starttls', 'none')),
    username text not null,
    password bytea not null,  -- encrypted with the server's key (api/webhooks/secrets.py)
    folder text not null,
    processed text not null check (processed in ('move', 'flag', 'delete')),
    processed_folder text not null,  -- where `move` puts a processed message
    error_folder text not null,  -- where a message whose report does not parse goes
    description text not null default '',
    enabled boolean not null default true,
    created_at timestamptz not null default now(),
    leased_until timestamptz,  -- a process polls it until then
    last_poll_at timestamptz,
    last_success_at timestamptz,
    last_error_at timestamptz,
    last_error text,
    failing_since timestamptz,  -- the first failed poll since the last good one
    reports_total bigint not null default 0,
    reports_day date,
    reports_today bigint not null default 0,
    skipped jsonb not null default '{}',  -- messages that stored nothing, by reason
    primary key (org_id, mailbox_id)
);

create table mailbox_messages (
    org_id bigint not null,
    mailbox_id bigint not null,
    uidvalidity bigint not null,
    uid bigint not null,
    outcome text not null,  -- stored, already stored, DMARC aggregate report, not a report, error: ...
    handled_at timestamptz not null default now(),
    primary key (org_id, mailbox_id, uidvalidity, uid),
    foreign key (org_id, mailbox_id) references mailboxes on delete cascade
);

grant select, insert, update, delete on mailboxes, mailbox_messages to mailflow_app;
grant usage on all sequences in schema public to mailflow_app;

do $$
declare
    t text;
begin
    foreach t in array array['mailboxes', 'mailbox_messages'] loop
        execute format('alter table %I enable row level security', t);
        execute format(
            'create policy tenant on %I to mailflow_app using (org_id = mailflow_org_id()) '
            'with check (org_id = mailflow_org_id())', t);
    end loop;
end
$$;
