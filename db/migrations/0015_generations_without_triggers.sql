-- The data generation without triggers: Citus refuses triggers on distributed tables, so every statement
-- that changes what a report, an insight or a setting shows now bumps its organization's generation itself,
-- in the same statement (a CTE upserting org_generations; tests/db/test_generation_bumps.py checks every
-- writing .sql file). The application role writes its own organization's row (row-level security).

do $$
declare
    t text;
begin
    foreach t in array array['hourly_rollups', 'connectors', 'insights', 'insight_settings', 'tls_reports',
                             'tls_report_policies'] loop
        execute format('drop trigger if exists %I on %I', t || '_generation_insert', t);
        execute format('drop trigger if exists %I on %I', t || '_generation_update', t);
        execute format('drop trigger if exists %I on %I', t || '_generation_delete', t);
    end loop;
end
$$;
drop function bump_generation();

grant insert, update on org_generations to mailflow_app;
drop policy tenant on org_generations;
create policy tenant on org_generations to mailflow_app using (org_id = mailflow_org_id())
    with check (org_id = mailflow_org_id());
