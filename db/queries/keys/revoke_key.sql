-- $1 key_id bigint
-- Key ids are unique across organizations (one identity sequence), so the operator names a key by id.
update api_keys set revoked_at = now()
where key_id = $1 and revoked_at is null
returning key_id
