-- $1 org_id bigint, $2 insight_ids bigint[], $3 kinds text[]
-- One event per state change, carrying the insight's full state as it now is, numbered from the organization's
-- event counter (its row stays locked until this transaction ends, so numbers follow commit order: the SIEM
-- cursor, db/migrations/0016); in the same statement, a webhook delivery of each event (`insight.<kind>`) for
-- every enabled subscription that wants it (the outbox: an event is queued if and only if it is written).
with counter as (
    insert into insight_event_counters as c (org_id, last_seq)
    select $1, cardinality($2::bigint[]) where cardinality($2::bigint[]) > 0
    on conflict (org_id) do update set last_seq = c.last_seq + cardinality($2::bigint[])
    returning c.last_seq - cardinality($2::bigint[]) as base
),
events as (
    insert into insight_events (org_id, seq, insight_id, kind, state)
    select $1, counter.base + e.position, e.insight_id, e.kind, s.state
    from unnest($2::bigint[], $3::text[]) with ordinality as e (insight_id, kind, position)
    cross join counter
    join insight_states s on s.org_id = $1 and s.insight_id = e.insight_id
    order by e.position
    returning event_id, kind, at
)
insert into webhook_deliveries (org_id, subscription_id, message_id, event_type, event_id, occurred_at)
select $1, w.subscription_id, 'evt_' || e.event_id, 'insight.' || e.kind, e.event_id, e.at
from events e
join webhook_subscriptions w on w.org_id = $1 and w.enabled and 'insight.' || e.kind = any(w.events)
order by e.event_id, w.subscription_id
-- (on Citus an INSERT ... SELECT without RETURNING is made by COPY into the shards, which row-level security
-- refuses; with it, by an INSERT on each shard)
returning delivery_id
