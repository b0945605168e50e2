-- $1 org_id bigint, $2 connector_id bigint
-- Removes a connector (with its attribution rules) only when no stored message came over it: the
-- reports would otherwise lose the name of that traffic. Returns its name and direction, the messages
-- stored over it, and whether it was removed; no row when the organization has no such connector.
with target as (
    select c.connector_id, c.name, c.direction,
           coalesce((select sum(r.messages) from hourly_rollups r
                     where r.org_id = $1 and r.connector_id = $2 and r.direction = c.direction), 0)::bigint
               as messages
    from connectors c
    where c.org_id = $1 and c.connector_id = $2
),
removed as (
    delete from connectors c
    using target t
    where c.org_id = $1 and c.connector_id = t.connector_id and t.messages = 0
    returning c.connector_id
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from removed)
    on conflict (org_id) do update set generation = g.generation + 1
)
select t.name, t.direction, t.messages, exists (select 1 from removed) as removed
from target t
