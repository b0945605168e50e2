-- $1 org_id bigint
-- The first half of removing an organization: its messages and rollups (they have no foreign key to
-- it). Returns how many messages and rollup rows went.
with m as (
    delete from messages where org_id = $1 returning 1
),
h as (
    delete from hourly_rollups where org_id = $1 returning 1
),
d as (
    delete from daily_rollups where org_id = $1 returning 1
),
r as (
    delete from remote_daily_rollups where org_id = $1 returning 1
),
t as (
    delete from transit_daily_rollups where org_id = $1 returning 1
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    values ($1, 1)
    on conflict (org_id) do update set generation = g.generation + 1
)
select (select count(*) from m) as messages,
       (select count(*) from h) + (select count(*) from d) + (select count(*) from r) + (select count(*) from t)
           as rollups
