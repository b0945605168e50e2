-- $1 org_id bigint
-- The second half of removing an organization: the row itself, and by cascade its connectors, keys,
-- insights and their events, settings, TLS reports and data generation. Returns its id, or no row.
delete from organizations where org_id = $1 returning org_id
