-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz, $4 time_zone text, $5 directions text[],
-- $6 connector_type text (null: all; 'internet': the pseudo-connectors), $7 name_prefix text (null: all),
-- $8 days_from timestamptz, $9 days_to timestamptz: whole UTC days read from the daily rollups (only when
-- the time zone's days are UTC days; else $8 = $9 = $3), the hours outside them from the hourly rollups
-- Messages per day and connector, in total and per TLS bucket, then per connector for the whole window
-- (day null). Every connector that matches the filters has a window row, with zeros when it carried no
-- mail; the internet without a connector is connector 0 of its direction. The rollup rows are summed
-- once into days (a hash aggregate); the window totals come from those few daily rows.
with paths as (
    select c.direction, c.connector_id, c.name, c.type, c.forced_tls
    from connectors c
    where c.org_id = $1
    union all
    select d.direction, 0::bigint, d.name, 'internet', false
    from (values ('inbound', 'From the internet without a connector'),
                 ('outbound', 'To the internet without a connector')) as d (direction, name)
),
chosen as (
    select *
    from paths p
    where p.direction = any($5::text[])
      and ($6::text is null or p.type = $6)
      and ($7::text is null or starts_with(lower(p.name), lower($7)))
),
daily as (
    select x.day, x.direction, x.connector_id,
           sum(x.messages)::bigint as messages, sum(x.no_tls)::bigint as no_tls, sum(x.tls10)::bigint as tls10,
           sum(x.tls11)::bigint as tls11, sum(x.tls12)::bigint as tls12, sum(x.tls13)::bigint as tls13,
           sum(x.unknown)::bigint as unknown
    from (
        select (r.hour at time zone $4)::date as day, r.direction, r.connector_id, r.messages, r.no_tls, r.tls10,
               r.tls11, r.tls12, r.tls13, r.unknown
        from hourly_rollups r
        where r.org_id = $1 and r.direction = any($5::text[])
          and ((r.hour >= $2 and r.hour < $8) or (r.hour >= $9 and r.hour < $3))
        union all
        select d.day, d.direction, d.connector_id, d.messages, d.no_tls, d.tls10, d.tls11, d.tls12, d.tls13,
               d.unknown
        from daily_rollups d
        where d.org_id = $1 and d.direction = any($5::text[])
          and d.day >= ($8 at time zone 'UTC')::date and d.day < ($9 at time zone 'UTC')::date
    ) x
    group by 1, 2, 3
),
traffic as (
    select * from daily
    union all
    select null, d.direction, d.connector_id, sum(d.messages)::bigint, sum(d.no_tls)::bigint, sum(d.tls10)::bigint,
           sum(d.tls11)::bigint, sum(d.tls12)::bigint, sum(d.tls13)::bigint, sum(d.unknown)::bigint
    from daily d
    group by d.direction, d.connector_id
)
select t.day, c.direction, c.connector_id, c.name, c.type, c.forced_tls,
       coalesce(t.messages, 0) as messages, coalesce(t.no_tls, 0) as no_tls, coalesce(t.tls10, 0) as tls10,
       coalesce(t.tls11, 0) as tls11, coalesce(t.tls12, 0) as tls12, coalesce(t.tls13, 0) as tls13,
       coalesce(t.unknown, 0) as unknown
from chosen c
left join traffic t on t.direction = c.direction and t.connector_id = c.connector_id
order by t.day nulls first, c.direction, c.name
