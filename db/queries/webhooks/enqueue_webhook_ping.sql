-- $1 org_id bigint, $2 subscription_id bigint, $3 data jsonb
-- A `ping` for one subscription (sent at once by the caller, not by the worker: it is leased already).
insert into webhook_deliveries (org_id, subscription_id, message_id, event_type, data, attempts, leased_until,
                                first_attempt_at)
values ($1, $2, 'ping_' || gen_random_uuid(), 'ping', $3, 1, now() + interval '1 minute', now())
returning delivery_id, message_id, occurred_at, attempts
