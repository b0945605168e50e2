-- $1 org_id bigint, $2 connector_id bigint, $3 rules jsonb
with changed as (
    update connectors set rules = $3
    where org_id = $1 and connector_id = $2
    returning connector_id, name, direction, type, forced_tls, rules
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from changed)
    on conflict (org_id) do update set generation = g.generation + 1
)
select connector_id, name, direction, type, forced_tls, rules from changed
