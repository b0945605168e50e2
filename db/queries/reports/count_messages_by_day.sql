-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz, $4 time_zone text, $5 directions text[],
-- $6 connector_id bigint (null: every connector; 0: the internet without a connector)
-- The TLS breakdown: every day of the window in the time zone (zeros included) with its messages in
-- total and per TLS bucket, then the window's totals (the last row, day null). The hourly rows are summed
-- once into days; the window's total comes from those.
with daily as (
    select (r.hour at time zone $4)::date as day,
           sum(r.messages)::bigint as messages, sum(r.no_tls)::bigint as no_tls, sum(r.tls10)::bigint as tls10,
           sum(r.tls11)::bigint as tls11, sum(r.tls12)::bigint as tls12, sum(r.tls13)::bigint as tls13,
           sum(r.unknown)::bigint as unknown
    from hourly_rollups r
    where r.org_id = $1 and r.hour >= $2 and r.hour < $3 and r.direction = any($5::text[])
      and ($6::bigint is null or r.connector_id = $6)
    group by 1
),
days as (
    select d::date as day
    from generate_series(($2 at time zone $4)::date, (($3 - interval '1 microsecond') at time zone $4)::date,
                         interval '1 day') as d
)
select d.day, coalesce(t.messages, 0) as messages, coalesce(t.no_tls, 0) as no_tls, coalesce(t.tls10, 0) as tls10,
       coalesce(t.tls11, 0) as tls11, coalesce(t.tls12, 0) as tls12, coalesce(t.tls13, 0) as tls13,
       coalesce(t.unknown, 0) as unknown
from days d
left join daily t on t.day = d.day
union all
select null, coalesce(sum(t.messages), 0)::bigint, coalesce(sum(t.no_tls), 0)::bigint,
       coalesce(sum(t.tls10), 0)::bigint, coalesce(sum(t.tls11), 0)::bigint, coalesce(sum(t.tls12), 0)::bigint,
       coalesce(sum(t.tls13), 0)::bigint, coalesce(sum(t.unknown), 0)::bigint
from daily t
order by 1 nulls last
