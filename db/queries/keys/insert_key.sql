-- $1 org_id bigint, $2 role text, $3 label text
-- A new key with no usable hash yet: the token names the key id, so the hash is set right after.
insert into api_keys (org_id, role, label, token_sha256)
values ($1, $2, $3, '\x')
returning key_id
