-- $1 org_id bigint
select subscription_id, url, events, description, enabled, disabled_reason, created_at, updated_at
from webhook_subscriptions
where org_id = $1
order by subscription_id
