-- $1 org_id bigint
-- Messages stored per direction and TLS bucket, straight from the messages table (for checks and tests).
select direction, tls_bucket, count(*)::bigint as messages
from messages
where org_id = $1
group by direction, tls_bucket
order by direction, tls_bucket
