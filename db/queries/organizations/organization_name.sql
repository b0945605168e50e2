-- $1 org_id bigint
select name from organizations where org_id = $1
