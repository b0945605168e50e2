-- $1 org_id bigint, $2 description text
insert into tlsrpt_endpoints (org_id, description)
values ($1, $2)
returning endpoint_id
