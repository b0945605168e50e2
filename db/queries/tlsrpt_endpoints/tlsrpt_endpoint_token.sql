-- $1 org_id bigint, $2 endpoint_id bigint
-- The token's hash, to compare with a POST's (the owner's pool: the POST has no key yet).
select token_sha256 from tlsrpt_endpoints where org_id = $1 and endpoint_id = $2
