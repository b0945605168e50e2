-- $1 org_id bigint, $2 subscription_id bigint
-- One subscription with its (encrypted) secret, for sending to it.
select subscription_id, url, events, description, enabled, disabled_reason, created_at, updated_at, secret
from webhook_subscriptions
where org_id = $1 and subscription_id = $2
