-- $1 org_id bigint, $2 connector_id bigint, $3 rules jsonb
update connectors set rules = $3
where org_id = $1 and connector_id = $2
returning connector_id, name, direction, type, forced_tls, rules
