-- $1 org_id bigint
select connector_id, name, direction, type, forced_tls, rules
from connectors
where org_id = $1
order by direction, name
