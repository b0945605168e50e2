-- $1 org_id bigint, $2 domain text (normalised), $3 now timestamptz
-- Adds an accepted domain; returns it, or no row when it is listed already. The report figures read the list,
-- so the organization's data generation is bumped.
with added as (
    insert into accepted_domains (org_id, domain, created_at)
    values ($1, $2, $3)
    on conflict (org_id, domain) do nothing
    returning domain, created_at
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from added)
    on conflict (org_id) do update set generation = g.generation + 1
)
select domain, created_at from added
