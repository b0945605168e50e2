-- Organizations kept apart twice: every statement is scoped by the organization of the API key, and
-- row-level security enforces it for the role the application runs tenant queries as, keyed on the
-- session setting mailflow.org_id (set from the key for each database call; unset means no rows).

create table api_keys (
    org_id bigint not null references organizations on delete cascade,
    key_id bigint generated always as identity,
    role text not null check (role in ('reader', 'ingest', 'admin')),
    label text not null default '',
    token_sha256 bytea not null,  -- only a hash of the token is kept
    created_at timestamptz not null default now(),
    revoked_at timestamptz,
    primary key (org_id, key_id)
);

do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'mailflow_app') then
        create role mailflow_app nologin nosuperuser nobypassrls;
    end if;
end
$$;
grant mailflow_app to current_user;
grant usage on schema public to mailflow_app;
grant select on organizations to mailflow_app;
grant select, insert, update, delete on connectors, messages, hourly_rollups, insights, insight_events,
    insight_settings, api_keys to mailflow_app;
grant select on insight_states to mailflow_app;
grant usage on all sequences in schema public to mailflow_app;

-- Creating a partition needs the owner of messages: the function runs as its owner.
alter function ensure_message_partitions(date[]) security definer set search_path = public, pg_temp;
grant execute on function ensure_message_partitions(date[]) to mailflow_app;

-- The view must apply the row-level security of the tables it reads, for whoever reads it.
alter view insight_states set (security_invoker = true);

create function mailflow_org_id() returns bigint
language sql stable as $$ select nullif(current_setting('mailflow.org_id', true), '')::bigint $$;
grant execute on function mailflow_org_id() to mailflow_app;

alter table organizations enable row level security;
create policy tenant on organizations to mailflow_app using (org_id = mailflow_org_id());

do $$
declare
    t text;
begin
    foreach t in array array['connectors', 'messages', 'hourly_rollups', 'insights', 'insight_events',
                             'insight_settings', 'api_keys'] loop
        execute format('alter table %I enable row level security', t);
        execute format(
            'create policy tenant on %I to mailflow_app using (org_id = mailflow_org_id()) '
            'with check (org_id = mailflow_org_id())', t);
    end loop;
end
$$;
