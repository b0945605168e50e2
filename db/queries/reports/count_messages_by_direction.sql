-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz
-- The snapshot: messages per direction and TLS bucket, with each direction's total (bucket null).
select direction, tls_bucket, sum(messages)::bigint as messages
from hourly_rollups
where org_id = $1 and hour >= $2 and hour < $3
group by grouping sets ((direction, tls_bucket), (direction))
