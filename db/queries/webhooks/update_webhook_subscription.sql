-- $1 org_id bigint, $2 subscription_id bigint, $3 url text, $4 events text[], $5 description text,
-- $6 enabled boolean, $7 secret bytea (each null: unchanged)
-- Disabling by hand says so in disabled_reason; enabling clears it.
update webhook_subscriptions set
    url = coalesce($3, url),
    events = coalesce($4, events),
    description = coalesce($5, description),
    enabled = coalesce($6, enabled),
    disabled_reason = case when $6 then null when not $6 and enabled then 'disabled by an admin'
                           else disabled_reason end,
    secret = coalesce($7, secret),
    updated_at = now()
where org_id = $1 and subscription_id = $2
returning subscription_id, url, events, description, enabled, disabled_reason, created_at, updated_at
