-- $1 org_id bigint, $2 name text, $3 direction text, $4 type text, $5 forced_tls boolean, $6 rules jsonb
-- Returns nothing when the organization already has a connector of that name in that direction.
insert into connectors (org_id, name, direction, type, forced_tls, rules)
values ($1, $2, $3, $4, $5, $6)
on conflict (org_id, direction, name) do nothing
returning connector_id, name, direction, type, forced_tls, rules
