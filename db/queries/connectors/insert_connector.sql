-- $1 org_id bigint, $2 name text, $3 direction text, $4 type text, $5 forced_tls boolean, $6 rules jsonb,
-- $7 name_key text (core/names.py: look_alike_key)
-- Returns nothing when the organization already has a connector of that name, or of that look-alike key,
-- in that direction (either unique key: no conflict target).
with added as (
    insert into connectors (org_id, name, direction, type, forced_tls, rules, name_key)
    values ($1, $2, $3, $4, $5, $6, $7)
    on conflict do nothing
    returning connector_id, name, direction, type, forced_tls, rules
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from added)
    on conflict (org_id) do update set generation = g.generation + 1
)
select connector_id, name, direction, type, forced_tls, rules from added
