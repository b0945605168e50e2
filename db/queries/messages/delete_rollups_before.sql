-- $1 cutoff timestamptz
-- Retention for rollups (all organizations: retention is one setting for the whole store). Both kept
-- for whole UTC days, so a day reads the same from the daily rollups as from its hours. Bumps the data
-- generation of every organization that lost rows. Returns the number of rollup rows deleted.
with hourly as (
    delete from hourly_rollups where hour < date_trunc('day', $1::timestamptz, 'UTC') returning org_id
),
daily as (
    delete from daily_rollups where day < ($1::timestamptz at time zone 'UTC')::date returning org_id
),
remote as (
    delete from remote_daily_rollups where day < ($1::timestamptz at time zone 'UTC')::date returning org_id
),
transit as (
    delete from transit_daily_rollups where day < ($1::timestamptz at time zone 'UTC')::date returning org_id
),
bump as (
    -- the data generations, in this statement (db/migrations/0015); a fixed order, so that two such
    -- statements cannot deadlock
    insert into org_generations as g (org_id, generation)
    select distinct o.org_id, 1
    from (select org_id from hourly union all select org_id from daily union all select org_id from remote
          union all select org_id from transit) o
    order by 1
    on conflict (org_id) do update set generation = g.generation + 1
)
select (select count(*) from hourly) + (select count(*) from daily) + (select count(*) from remote)
       + (select count(*) from transit)
