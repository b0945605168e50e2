-- RFC 8460 HTTPS reporting endpoints: each organization's unguessable URLs (/tlsrpt/<token>) that reporters
-- POST TLS reports to without an API key. Only a SHA-256 of each token is kept (as for API keys); the token
-- names its organization and endpoint, so a POST finds its row by primary key (one shard under Citus).
-- The reports themselves go through the one TLS report path (tls_reports); this table holds what an
-- admin sees of each endpoint: last success, last error, reports today and in all, refusals by reason.
-- No trigger, and no org_generations bump: nothing a cached GET shows is read from here.

create table tlsrpt_endpoints (
    org_id bigint not null references organizations on delete cascade,
    endpoint_id bigint generated always as identity,
    description text not null default '',
    token_sha256 bytea,  -- set in the creating transaction, once the id (part of the token) is known
    created_at timestamptz not null default now(),
    rotated_at timestamptz,
    last_success_at timestamptz,
    last_error_at timestamptz,
    last_error text,
    reports_total bigint not null default 0,  -- reports stored (a report sent again is not counted twice)
    reports_day date,  -- the UTC day reports_today counts
    reports_today bigint not null default 0,
    skipped jsonb not null default '{}',  -- refused or not stored, by reason: {"already stored": 3, ...}
    primary key (org_id, endpoint_id)
);

grant select, insert, update, delete on tlsrpt_endpoints to mailflow_app;
grant usage on all sequences in schema public to mailflow_app;
alter table tlsrpt_endpoints enable row level security;
create policy tenant on tlsrpt_endpoints to mailflow_app using (org_id = mailflow_org_id())
    with check (org_id = mailflow_org_id());
