-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz, $4 connector_ids bigint[], $5 directions text[]
-- Messages per connector and TLS bucket over a window, with each connector's total (bucket null), for
-- many connectors in one statement. Connector 0 with a direction is the internet without a connector.
select k.connector_id, k.direction, r.tls_bucket, sum(r.messages)::bigint as messages
from unnest($4::bigint[], $5::text[]) as k (connector_id, direction)
join hourly_rollups r on r.connector_id = k.connector_id and r.direction = k.direction
where r.org_id = $1 and r.hour >= $2 and r.hour < $3
group by grouping sets ((k.connector_id, k.direction, r.tls_bucket), (k.connector_id, k.direction))
