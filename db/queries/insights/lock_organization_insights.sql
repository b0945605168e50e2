-- $1 org_id bigint
-- Serialises insight evaluations of one organization (held until the transaction ends).
select pg_advisory_xact_lock(hashtext('mailflow.insights'), $1::integer)
