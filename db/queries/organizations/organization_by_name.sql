-- $1 name text
select org_id from organizations where name = $1
