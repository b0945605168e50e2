-- Webhooks: subscriptions, and an outbox of deliveries. A delivery is queued by the very statement (or in the
-- very transaction) that writes its event: insight events (insights/insert_insight_events) and stored TLS
-- reports (webhooks/enqueue_tls_report). No trigger: Citus refuses them on distributed tables.
-- A worker in every server process claims the due head of each subscription's queue with
-- FOR UPDATE SKIP LOCKED and a lease (api/webhooks/worker.py); every attempt is kept.

create table webhook_subscriptions (
    org_id bigint not null references organizations on delete cascade,
    subscription_id bigint generated always as identity,
    url text not null,
    events text[] not null,
    description text not null default '',
    secret bytea not null,  -- the signing secret, encrypted with the server's key (api/webhooks/secrets.py)
    enabled boolean not null default true,
    disabled_reason text,  -- why it was disabled (by an admin, or after 24 h of failed deliveries)
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (org_id, subscription_id)
);

create table webhook_deliveries (
    org_id bigint not null,
    delivery_id bigint generated always as identity,
    subscription_id bigint not null,
    message_id text not null,  -- webhook-id: the event's stable id, the same on every attempt
    event_type text not null,
    event_id bigint,  -- an insight event: its data is read from insight_events when it is sent
    data jsonb,  -- any other event: its data
    occurred_at timestamptz not null default now(),
    status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
    attempts integer not null default 0,  -- also the lease's fencing token: an attempt records only its own
    next_attempt_at timestamptz not null default now(),
    leased_until timestamptz,  -- a worker is sending it until then
    first_attempt_at timestamptz,  -- retries stop 24 h (MAILFLOW_WEBHOOK_GIVE_UP_SECONDS) after it
    finished_at timestamptz,
    primary key (org_id, delivery_id),
    foreign key (org_id, subscription_id) references webhook_subscriptions on delete cascade
);
-- each subscription's queue, oldest first (its head is the only one that may be sent; the worker's poll
-- probes each enabled subscription's head)
create index webhook_deliveries_queue on webhook_deliveries (org_id, subscription_id, delivery_id)
    where status = 'pending';
create index webhook_deliveries_finished on webhook_deliveries (org_id, finished_at) where status <> 'pending';

create table webhook_attempts (
    org_id bigint not null,
    delivery_id bigint not null,
    attempt integer not null,
    at timestamptz not null,
    status_code integer,  -- the receiver's answer, or null when there was none (error says why)
    error text,
    duration_ms integer not null,
    next_retry_at timestamptz,  -- null: no retry (delivered, or failed for good)
    primary key (org_id, delivery_id, attempt),
    foreign key (org_id, delivery_id) references webhook_deliveries on delete cascade
);

grant select, insert, update, delete on webhook_subscriptions, webhook_deliveries, webhook_attempts to mailflow_app;
grant usage on all sequences in schema public to mailflow_app;

do $$
declare
    t text;
begin
    foreach t in array array['webhook_subscriptions', 'webhook_deliveries', 'webhook_attempts'] loop
        execute format('alter table %I enable row level security', t);
        execute format(
            'create policy tenant on %I to mailflow_app using (org_id = mailflow_org_id()) '
            'with check (org_id = mailflow_org_id())', t);
    end loop;
end
$$;
