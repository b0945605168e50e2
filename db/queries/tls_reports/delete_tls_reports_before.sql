-- $1 cutoff timestamptz
-- Retention for TLS reports (all organizations: retention is one setting for the whole store), the same
-- as for messages: a report whose whole date range ended before the cutoff goes, with its policies and
-- failure details (cascade). Bumps the data generation of every organization that lost one; returns how
-- many reports went.
with gone as (
    delete from tls_reports where end_at < $1 returning org_id
),
bump as (
    -- the data generations, in this statement (db/migrations/0015), in a fixed order
    insert into org_generations as g (org_id, generation)
    select distinct org_id, 1 from gone
    order by 1
    on conflict (org_id) do update set generation = g.generation + 1
)
select count(*) from gone
