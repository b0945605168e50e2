-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz, $4 time_zone text, $5 directions text[],
-- $6 connector_id bigint (null: every connector; 0: the internet without a connector), $7 days_from
-- timestamptz, $8 days_to timestamptz: the whole UTC days of the window, read from the daily rollups (see
-- zone_day_moves in the migrations); the hours outside them from the hourly rollups
-- The TLS breakdown: every day of the window in the time zone (zeros included) with its messages in
-- total and per TLS bucket, then the window's totals (the last row, day null). The rollup rows are summed
-- once into days; the window's total comes from those.
with moved as (
    select * from zone_day_moves($7, $8, $4)
),
daily as (
    select x.day,
           sum(x.messages)::bigint as messages, sum(x.no_tls)::bigint as no_tls, sum(x.tls10)::bigint as tls10,
           sum(x.tls11)::bigint as tls11, sum(x.tls12)::bigint as tls12, sum(x.tls13)::bigint as tls13,
           sum(x.unknown)::bigint as unknown
    from (
        select (r.hour at time zone $4)::date as day, r.messages, r.no_tls, r.tls10, r.tls11, r.tls12, r.tls13,
               r.unknown
        from hourly_rollups r
        where r.org_id = $1 and r.direction = any($5::text[]) and ($6::bigint is null or r.connector_id = $6)
          and ((r.hour >= $2 and r.hour < $7) or (r.hour >= $8 and r.hour < $3))
        union all
        select ((d.day + time '12:00') at time zone 'UTC' at time zone $4)::date, d.messages, d.no_tls, d.tls10,
               d.tls11, d.tls12, d.tls13, d.unknown  -- each UTC day on the zone day of its noon
        from daily_rollups d
        where d.org_id = $1 and d.direction = any($5::text[]) and ($6::bigint is null or d.connector_id = $6)
          and d.day >= ($7 at time zone 'UTC')::date and d.day < ($8 at time zone 'UTC')::date
        union all
        select case when s.sign > 0 then m.day else m.counted end, s.sign * r.messages, s.sign * r.no_tls,
               s.sign * r.tls10, s.sign * r.tls11, s.sign * r.tls12, s.sign * r.tls13, s.sign * r.unknown
        from hourly_rollups r
        join moved m on m.hour = r.hour
        cross join (values (1), (-1)) as s (sign)  -- onto the hour's zone day, off its UTC day's
        where r.org_id = $1 and r.hour = any(array(select hour from moved)) and r.direction = any($5::text[])
          and ($6::bigint is null or r.connector_id = $6)
    ) x
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
