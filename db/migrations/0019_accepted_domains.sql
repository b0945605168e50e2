-- Accepted domains: the domains an organization owns (as Microsoft 365 calls them). A TLS report's policy for
-- a domain that is not one of them, nor a subdomain of one, is kept and shown, flagged, but not counted in the
-- organization's TLS report figures or insights. Nothing is rewritten when the list changes: the report views
-- and the insights compare each policy domain with the list when they read (db/queries/tls_reports/), so a
-- report already stored counts as soon as its domain is added. An organization with no accepted domain listed
-- counts every report (as before this migration).
-- Domains are kept normalised (lower case, A-labels, no trailing dot: core/domains.py); the key includes
-- org_id (Citus distributes the table with the organization's other tables, db/migrations/0016).

create table accepted_domains (
    org_id bigint not null references organizations on delete cascade,
    domain text not null check (domain = lower(domain) and domain <> '' and right(domain, 1) <> '.'),
    created_at timestamptz not null,
    primary key (org_id, domain)
);

grant select, insert, update, delete on accepted_domains to mailflow_app;
alter table accepted_domains enable row level security;
create policy tenant on accepted_domains to mailflow_app using (org_id = mailflow_org_id())
    with check (org_id = mailflow_org_id());
