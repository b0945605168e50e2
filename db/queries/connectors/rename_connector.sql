-- $1 org_id bigint, $2 connector_id bigint, $3 name text, $4 name_key text (core/names.py: look_alike_key)
-- Renames a connector; no row when the organization has no such connector (a name or look-alike key taken
-- in that direction raises a unique violation). Its traffic and insights keep following it: they name its id.
update connectors set name = $3, name_key = $4
where org_id = $1 and connector_id = $2
returning connector_id, name, direction, type, forced_tls, rules
