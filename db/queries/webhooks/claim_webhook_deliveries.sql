-- $1 org_id bigint, $2 limit integer, $3 lease_seconds double precision
-- Leases the due deliveries that head their subscription's queue (a later one waits while an earlier one is
-- retrying), skipping rows another worker is claiming; the lease makes other workers leave them alone until
-- it ends (a worker that dies mid-attempt: they are sent again, with the same webhook-id, after it).
-- Returns what sending needs: the URL, the encrypted secret, and an insight event's row.
with heads as (
    select s.subscription_id,
           (select d.delivery_id
            from webhook_deliveries d
            where d.org_id = $1 and d.subscription_id = s.subscription_id and d.status = 'pending'
            order by d.delivery_id
            limit 1) as delivery_id
    from webhook_subscriptions s
    where s.org_id = $1 and s.enabled
),
due as (
    select d.delivery_id, d.subscription_id, d.event_id
    from webhook_deliveries d
    where d.org_id = $1 and d.delivery_id in (select h.delivery_id from heads h)
      and d.status = 'pending' and d.next_attempt_at <= now()
      and (d.leased_until is null or d.leased_until <= now())
    order by d.next_attempt_at
    limit $2
    for update of d skip locked
)
update webhook_deliveries d
set attempts = d.attempts + 1,
    leased_until = now() + make_interval(secs => $3),
    -- least, not coalesce: Citus refuses now() inside coalesce or case in a distributed update (a first attempt
    -- is never in the future, so this keeps it, or sets it when null)
    first_attempt_at = least(d.first_attempt_at, now())
from due
join webhook_subscriptions s on s.org_id = $1 and s.subscription_id = due.subscription_id
left join insight_events e on e.org_id = $1 and e.event_id = due.event_id
where d.org_id = $1 and d.delivery_id = due.delivery_id
returning d.delivery_id, d.subscription_id, d.message_id, d.event_type, d.data, d.occurred_at, d.attempts,
          d.first_attempt_at, s.url, s.secret, e.event_id, e.seq, e.kind, e.at, e.state
