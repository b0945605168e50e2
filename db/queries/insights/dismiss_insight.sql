-- $1 org_id bigint, $2 insight_id bigint, $3 reason text
-- Dismisses an active insight; returns nothing when it is not active.
update insights
set status = 'dismissed', dismissed_at = now(), dismiss_reason = $3
where org_id = $1 and insight_id = $2 and status = 'active'
returning insight_id
