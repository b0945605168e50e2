-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz, $4 time_zone text, $5 directions text[],
-- $6 connector_id bigint (null: every connector; 0: the internet without a connector)
-- The TLS breakdown: every day of the window in the time zone (zeros included), per TLS bucket, with
-- per-day totals (bucket null), per-bucket window totals (day null) and the grand total (both null).
with traffic as (
    select (r.hour at time zone $4)::date as day, r.tls_bucket, sum(r.messages)::bigint as messages,
           grouping((r.hour at time zone $4)::date) as all_days
    from hourly_rollups r
    where r.org_id = $1 and r.hour >= $2 and r.hour < $3 and r.direction = any($5::text[])
      and ($6::bigint is null or r.connector_id = $6)
    group by grouping sets ((1, 2), (1), (2), ())
),
days as (
    select d::date as day
    from generate_series(($2 at time zone $4)::date, (($3 - interval '1 microsecond') at time zone $4)::date,
                         interval '1 day') as d
)
select d.day, t.tls_bucket, coalesce(t.messages, 0)::bigint as messages
from days d
left join traffic t on t.day = d.day and t.all_days = 0
union all
select null, t.tls_bucket, coalesce(t.messages, 0)::bigint
from traffic t
where t.all_days = 1
