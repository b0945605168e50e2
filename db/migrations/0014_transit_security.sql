-- Outbound transit security, as Microsoft's "Outbound messages in transit security" report shows it: each
-- delivery's security level (tls_security: dane, mta_sts, verified, opportunistic, none, unknown) and the
-- deliveries refused or deferred because TLS was required and not offered or not verified (blocked_reason).
-- A daily rollup per organization, UTC day and connector counts outbound deliveries by level (blocked ones
-- apart), filled by the ingest statement like the other rollups. Every key leads with org_id.

alter table messages
    add column tls_security text check (tls_security in ('dane', 'mta_sts', 'verified', 'opportunistic', 'none',
                                                          'unknown')),
    add column blocked_reason text;

create table transit_daily_rollups (
    org_id bigint not null,
    day date not null,  -- the UTC day
    connector_id bigint not null,  -- 0: the internet without a connector
    dane bigint not null,
    mta_sts bigint not null,
    verified bigint not null,
    opportunistic bigint not null,
    no_tls bigint not null,
    unknown bigint not null,
    blocked bigint not null,  -- refused or deferred because TLS was required: not in the levels
    primary key (org_id, day, connector_id)
);

grant select, insert, update, delete on transit_daily_rollups to mailflow_app;
alter table transit_daily_rollups enable row level security;
create policy tenant on transit_daily_rollups to mailflow_app using (org_id = mailflow_org_id())
    with check (org_id = mailflow_org_id());
