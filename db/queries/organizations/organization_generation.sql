-- $1 org_id bigint
-- The organization's data generation (0 before its first change).
select coalesce((select generation from org_generations where org_id = $1), 0)
