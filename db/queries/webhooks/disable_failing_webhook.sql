-- $1 org_id bigint, $2 subscription_id bigint, $3 reason text
-- Disables a subscription whose delivery failed for good; returns its URL, or no row if it was not enabled.
update webhook_subscriptions
set enabled = false, disabled_reason = $3, updated_at = now()
where org_id = $1 and subscription_id = $2 and enabled
returning url
