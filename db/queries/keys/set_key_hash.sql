-- $1 org_id bigint, $2 key_id bigint, $3 token_sha256 bytea
update api_keys set token_sha256 = $3 where org_id = $1 and key_id = $2
