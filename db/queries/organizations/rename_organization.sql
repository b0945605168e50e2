-- $1 org_id bigint, $2 name text
-- Renames an organization (a name taken raises a unique violation); its data, keys and tokens stay.
update organizations set name = $2 where org_id = $1 returning org_id
