-- $1 org_id bigint, $2 endpoint_id bigint
delete from tlsrpt_endpoints where org_id = $1 and endpoint_id = $2
returning endpoint_id
