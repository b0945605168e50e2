-- SMTP TLS reports (RFC 8460) that other providers send about mail to the organization's domains:
-- the report, each policy's session counts, and each failure detail, kept as sent (with a flag where
-- the details do not add up to the summary).

create table tls_reports (
    org_id bigint not null references organizations on delete cascade,
    report_key bigint generated always as identity,
    organization_name text not null,
    report_id text not null,
    start_at timestamptz not null,
    end_at timestamptz not null,
    contact_info text,
    stored_at timestamptz not null default now(),
    primary key (org_id, report_key),
    unique (org_id, organization_name, report_id)
);

create table tls_report_policies (
    org_id bigint not null,
    report_key bigint not null,
    policy_no integer not null,
    policy_type text not null,
    policy_domain text,
    policy_string text[],
    mx_hosts text[],
    successful_sessions bigint not null,
    failed_sessions bigint not null,
    detailed_failures bigint not null,  -- the failure details' sessions added up
    details_mismatch boolean not null,  -- they do not add up to failed_sessions
    primary key (org_id, report_key, policy_no),
    foreign key (org_id, report_key) references tls_reports on delete cascade
);

create table tls_report_failures (
    org_id bigint not null,
    report_key bigint not null,
    policy_no integer not null,
    failure_no integer not null,
    result_type text not null,
    sending_mta_ip text,
    receiving_mx_hostname text,
    receiving_ip text,
    failed_sessions bigint not null,
    failure_reason_code text,
    additional_information text,
    primary key (org_id, report_key, policy_no, failure_no),
    foreign key (org_id, report_key, policy_no) references tls_report_policies on delete cascade
);

grant select, insert, update, delete on tls_reports, tls_report_policies, tls_report_failures to mailflow_app;
grant usage on all sequences in schema public to mailflow_app;

do $$
declare
    t text;
begin
    foreach t in array array['tls_reports', 'tls_report_policies', 'tls_report_failures'] loop
        execute format('alter table %I enable row level security', t);
        execute format(
            'create policy tenant on %I to mailflow_app using (org_id = mailflow_org_id()) '
            'with check (org_id = mailflow_org_id())', t);
    end loop;
end
$$;
