-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz
-- The snapshot: messages per direction, in total and per TLS bucket.
select r.direction,
       sum(r.messages)::bigint as messages, sum(r.no_tls)::bigint as no_tls, sum(r.tls10)::bigint as tls10,
       sum(r.tls11)::bigint as tls11, sum(r.tls12)::bigint as tls12, sum(r.tls13)::bigint as tls13,
       sum(r.unknown)::bigint as unknown
from hourly_rollups r
where r.org_id = $1 and r.hour >= $2 and r.hour < $3
group by r.direction
