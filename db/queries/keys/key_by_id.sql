-- $1 org_id bigint, $2 key_id bigint
select role, token_sha256, revoked_at
from api_keys
where org_id = $1 and key_id = $2
