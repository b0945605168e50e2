-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz, $4 time_zone text, $5 directions text[],
-- $6 connector_type text (null: all; 'internet': the pseudo-connectors), $7 name_prefix text (null: all)
-- Messages per day and connector, in total and per TLS bucket, then per connector for the whole window
-- (day null). Every connector that matches the filters has a window row, with zeros when it carried no
-- mail; the internet without a connector is connector 0 of its direction. The hourly rows are summed
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
    select (r.hour at time zone $4)::date as day, r.direction, r.connector_id,
           sum(r.messages)::bigint as messages, sum(r.no_tls)::bigint as no_tls, sum(r.tls10)::bigint as tls10,
           sum(r.tls11)::bigint as tls11, sum(r.tls12)::bigint as tls12, sum(r.tls13)::bigint as tls13,
           sum(r.unknown)::bigint as unknown
    from hourly_rollups r
    where r.org_id = $1 and r.hour >= $2 and r.hour < $3 and r.direction = any($5::text[])
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
