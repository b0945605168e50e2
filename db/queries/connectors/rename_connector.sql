-- $1 org_id bigint, $2 connector_id bigint, $3 name text, $4 name_key text (core/names.py: look_alike_key)
-- Renames a connector; no row when the organization has no such connector (a name or look-alike key taken
-- in that direction raises a unique violation). Its traffic and insights keep following it: they name its id.
with renamed as (
    update connectors set name = $3, name_key = $4
    where org_id = $1 and connector_id = $2
    returning connector_id, name, direction, type, forced_tls, rules
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from renamed)
    on conflict (org_id) do update set generation = g.generation + 1
)
select connector_id, name, direction, type, forced_tls, rules from renamed
