-- $1 org_id bigint
select rule, threshold, min_messages, enabled, window_days
from insight_settings
where org_id = $1
