-- A data generation per organization, bumped by every statement that changes what a report, an insight
-- or a setting shows, in the same transaction. A response cached under one generation is never served
-- under another, so a cache never answers with data older than the request.

create table org_generations (
    org_id bigint primary key references organizations on delete cascade,
    generation bigint not null default 0
);
grant select on org_generations to mailflow_app;
alter table org_generations enable row level security;
create policy tenant on org_generations to mailflow_app using (org_id = mailflow_org_id());

create function bump_generation() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
    insert into org_generations as g (org_id, generation)
    select distinct c.org_id, 1 from changed c
    order by 1  -- a fixed order, so statements touching several organizations cannot deadlock
    on conflict (org_id) do update set generation = g.generation + 1;
    return null;
end;
$$;

do $$
declare
    t text;
begin
    foreach t in array array['hourly_rollups', 'connectors', 'insights', 'insight_settings', 'tls_reports',
                             'tls_report_policies'] loop
        execute format('create trigger %I after insert on %I referencing new table as changed '
                       'for each statement execute function bump_generation()', t || '_generation_insert', t);
        execute format('create trigger %I after update on %I referencing new table as changed '
                       'for each statement execute function bump_generation()', t || '_generation_update', t);
        execute format('create trigger %I after delete on %I referencing old table as changed '
                       'for each statement execute function bump_generation()', t || '_generation_delete', t);
    end loop;
end
$$;
