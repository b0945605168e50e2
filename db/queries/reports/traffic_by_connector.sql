-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz, $4 connector_ids bigint[], $5 directions text[]
-- Messages per connector over a window, in total and per TLS bucket, for many connectors in one
-- statement. Connector 0 with a direction is the internet without a connector.
select k.connector_id, k.direction,
       sum(r.messages)::bigint as messages, sum(r.no_tls)::bigint as no_tls, sum(r.tls10)::bigint as tls10,
       sum(r.tls11)::bigint as tls11, sum(r.tls12)::bigint as tls12, sum(r.tls13)::bigint as tls13,
       sum(r.unknown)::bigint as unknown
from unnest($4::bigint[], $5::text[]) as k (connector_id, direction)
join hourly_rollups r on r.connector_id = k.connector_id and r.direction = k.direction
where r.org_id = $1 and r.hour >= $2 and r.hour < $3
group by k.connector_id, k.direction
