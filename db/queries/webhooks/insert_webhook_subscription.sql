-- $1 org_id bigint, $2 url text, $3 events text[], $4 description text, $5 secret bytea (encrypted)
insert into webhook_subscriptions (org_id, url, events, description, secret)
values ($1, $2, $3, $4, $5)
returning subscription_id, url, events, description, enabled, disabled_reason, created_at, updated_at
