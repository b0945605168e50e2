-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz, $4 time_zone text, $5 directions text[],
-- $6 connector_type text (null: all; 'internet': the pseudo-connectors), $7 name_prefix text (null: all)
-- Messages per day, connector and TLS bucket; a null bucket is the volume of its day (or, with a null
-- day, of the whole window). Every
-- connector that matches the filters appears in the totals, with zeros when it carried no mail; the
-- internet without a connector is connector 0 of its direction.
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
traffic as (
    select (r.hour at time zone $4)::date as day, r.direction, r.connector_id, r.tls_bucket,
           sum(r.messages)::bigint as messages
    from hourly_rollups r
    join chosen c on c.direction = r.direction and c.connector_id = r.connector_id
    where r.org_id = $1 and r.hour >= $2 and r.hour < $3
    group by grouping sets ((1, 2, 3, 4), (1, 2, 3), (2, 3, 4), (2, 3))
)
select t.day, c.direction, c.connector_id, c.name, c.type, c.forced_tls, t.tls_bucket,
       coalesce(t.messages, 0)::bigint as messages
from chosen c
left join traffic t on t.direction = c.direction and t.connector_id = c.connector_id
order by t.day nulls first, c.direction, c.name
