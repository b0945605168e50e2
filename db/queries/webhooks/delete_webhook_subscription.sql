-- $1 org_id bigint, $2 subscription_id bigint
-- Removes a subscription, and by cascade its deliveries and their attempts.
delete from webhook_subscriptions where org_id = $1 and subscription_id = $2 returning subscription_id
