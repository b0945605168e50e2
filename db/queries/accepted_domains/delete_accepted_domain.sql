-- $1 org_id bigint, $2 domain text (normalised)
-- Removes an accepted domain; returns it, or no row when it was not listed. Bumps the data generation.
with removed as (
    delete from accepted_domains where org_id = $1 and domain = $2
    returning domain
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from removed)
    on conflict (org_id) do update set generation = g.generation + 1
)
select domain from removed
