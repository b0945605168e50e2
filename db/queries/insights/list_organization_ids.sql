-- (no parameters)
-- Every organization, for the periodic evaluation.
select org_id from organizations order by org_id
