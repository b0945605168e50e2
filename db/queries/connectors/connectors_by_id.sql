-- $1 org_id bigint, $2 connector_ids bigint[]
select connector_id, name, direction, type, forced_tls, rules
from connectors
where org_id = $1 and connector_id = any($2::bigint[])
