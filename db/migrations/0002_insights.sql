-- Insights: rules that fired for a connector over a sliding window, their history, and the events a
-- SIEM pulls with a gap-free cursor.

-- Per-organization overrides of the rule defaults (api/insights/rules.py holds the defaults).
create table insight_settings (
    org_id bigint not null references organizations on delete cascade,
    rule text not null,  -- a rule name, or '*' for the organization-wide window
    threshold numeric,
    min_messages bigint,
    enabled boolean,
    window_days integer,
    primary key (org_id, rule)
);

create table insights (
    org_id bigint not null references organizations on delete cascade,
    insight_id bigint generated always as identity,
    rule text not null,
    direction text not null,
    connector_id bigint not null,  -- 0: the internet without a connector
    status text not null check (status in ('active', 'resolved', 'dismissed')),
    title text not null,
    description text not null,
    recommended_action text not null,
    severity integer not null,
    share numeric not null,
    messages bigint not null,  -- the messages the rule counts (e.g. those over TLS 1.0)
    volume bigint not null,  -- all messages of the connector in the window
    threshold numeric not null,
    window_from timestamptz not null,
    window_to timestamptz not null,
    first_detected_at timestamptz not null,
    last_detected_at timestamptz not null,
    resolved_at timestamptz,  -- set when the condition cleared (also on a dismissed insight: it is closed)
    dismissed_at timestamptz,
    dismiss_reason text,
    primary key (org_id, insight_id)
);

-- At most one open insight per (organization, rule, connector): concurrent evaluations cannot
-- create a second one.
create unique index insights_one_open on insights (org_id, rule, direction, connector_id)
    where resolved_at is null;
create index insights_by_key on insights (org_id, rule, direction, connector_id, insight_id desc);

-- Every state change of an insight. xid is the writing transaction: readers return only events of
-- transactions older than every transaction still running, in (xid, event_id) order, so a page never
-- passes an event that commits later.
create table insight_events (
    org_id bigint not null references organizations on delete cascade,
    event_id bigint generated always as identity,
    xid xid8 not null default pg_current_xact_id(),
    insight_id bigint not null,
    kind text not null check (kind in ('created', 'updated', 'resolved', 'dismissed', 'reopened')),
    at timestamptz not null default now(),
    state jsonb not null,
    primary key (org_id, event_id)
);
create index insight_events_cursor on insight_events (org_id, xid, event_id);
create index insight_events_at on insight_events (org_id, at);

-- An insight as every consumer sees it (REST, GraphQL, the event stream): one shape, built once.
create view insight_states as
select i.org_id, i.insight_id, i.rule, i.direction, i.connector_id, i.status, i.resolved_at,
       jsonb_build_object(
           'id', i.insight_id,
           'rule', i.rule,
           'title', i.title,
           'description', i.description,
           'recommended_action', i.recommended_action,
           'severity', i.severity,
           'status', i.status,
           'connector', jsonb_build_object(
               'id', i.connector_id,
               'name', coalesce(c.name, case i.direction when 'inbound' then 'From the internet without a connector'
                                                         else 'To the internet without a connector' end),
               'direction', i.direction,
               'type', coalesce(c.type, 'internet'),
               'forced_tls', coalesce(c.forced_tls, false)),
           'share', i.share,
           'messages', i.messages,
           'volume', i.volume,
           'threshold', i.threshold,
           'window_from', i.window_from,
           'window_to', i.window_to,
           'first_detected_at', i.first_detected_at,
           'last_detected_at', i.last_detected_at,
           'resolved_at', i.resolved_at,
           'dismissed_at', i.dismissed_at,
           'dismiss_reason', i.dismiss_reason
       ) as state
from insights i
left join connectors c on c.org_id = i.org_id and c.connector_id = i.connector_id;
