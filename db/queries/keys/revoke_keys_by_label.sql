-- $1 org_id bigint, $2 label text
update api_keys set revoked_at = now()
where org_id = $1 and label = $2 and revoked_at is null
