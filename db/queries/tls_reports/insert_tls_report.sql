-- $1 org_id bigint, $2 organization_name text, $3 report_id text, $4 start_at timestamptz, $5 end_at timestamptz,
-- $6 contact_info text
-- Returns nothing when the same sender already sent this report id.
with added as (
    insert into tls_reports (org_id, organization_name, report_id, start_at, end_at, contact_info)
    values ($1, $2, $3, $4, $5, $6)
    on conflict (org_id, organization_name, report_id) do nothing
    returning report_key
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from added)
    on conflict (org_id) do update set generation = g.generation + 1
)
select report_key from added
