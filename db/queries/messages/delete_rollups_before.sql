-- $1 cutoff timestamptz
-- Retention for rollups (all organizations: retention is one setting for the whole store). Both kept
-- for whole UTC days, so a day reads the same from the daily rollups as from its hours. Returns the
-- number of rollup rows deleted.
with hourly as (
    delete from hourly_rollups where hour < date_trunc('day', $1::timestamptz, 'UTC') returning 1
),
daily as (
    delete from daily_rollups where day < ($1::timestamptz at time zone 'UTC')::date returning 1
),
remote as (
    delete from remote_daily_rollups where day < ($1::timestamptz at time zone 'UTC')::date returning 1
),
transit as (
    delete from transit_daily_rollups where day < ($1::timestamptz at time zone 'UTC')::date returning 1
)
select (select count(*) from hourly) + (select count(*) from daily) + (select count(*) from remote)
       + (select count(*) from transit)
