-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz, $4 connector_ids bigint[], $5 directions text[],
-- $6 days_from timestamptz, $7 days_to timestamptz
-- Messages per connector over a window, in total and per TLS bucket, for many connectors in one
-- statement. Connector 0 with a direction is the internet without a connector. The whole UTC days of the
-- window ([$6, $7)) come from the daily rollups, the hours outside them from the hourly rollups.
with keys as (
    select * from unnest($4::bigint[], $5::text[]) as k (connector_id, direction)
)
select x.connector_id, x.direction,
       sum(x.messages)::bigint as messages, sum(x.no_tls)::bigint as no_tls, sum(x.tls10)::bigint as tls10,
       sum(x.tls11)::bigint as tls11, sum(x.tls12)::bigint as tls12, sum(x.tls13)::bigint as tls13,
       sum(x.unknown)::bigint as unknown
from (
    select r.connector_id, r.direction, r.messages, r.no_tls, r.tls10, r.tls11, r.tls12, r.tls13, r.unknown
    from keys k
    join hourly_rollups r on r.connector_id = k.connector_id and r.direction = k.direction
    where r.org_id = $1 and ((r.hour >= $2 and r.hour < $6) or (r.hour >= $7 and r.hour < $3))
    union all
    select d.connector_id, d.direction, d.messages, d.no_tls, d.tls10, d.tls11, d.tls12, d.tls13, d.unknown
    from keys k
    join daily_rollups d on d.connector_id = k.connector_id and d.direction = k.direction
    where d.org_id = $1 and d.day >= ($6 at time zone 'UTC')::date and d.day < ($7 at time zone 'UTC')::date
) x
group by x.connector_id, x.direction
