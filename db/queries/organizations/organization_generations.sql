-- $1 org_ids bigint[]
-- The data generations of these organizations (an organization never changed has no row: 0).
select org_id, generation from org_generations where org_id = any($1::bigint[])
