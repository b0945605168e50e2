-- $1 org_id bigint, $2 subject text, $3 title text, $4 description text, $5 action text
-- An insight that a mailbox polled for TLS reports has failed for an hour (rule mailbox_failing; no
-- connector: inbound, 0). Returns its id, or no row when one is already open.
with opened as (
    insert into insights (
        org_id, rule, direction, connector_id, subject, status, title, description, recommended_action, severity,
        share, messages, volume, threshold, window_from, window_to, first_detected_at, last_detected_at
    )
    values ($1, 'mailbox_failing', 'inbound', 0, $2, 'active', $3, $4, $5, 6, 0, 0, 0, 0, now(), now(), now(), now())
    on conflict (org_id, rule, direction, connector_id, subject) where resolved_at is null do nothing
    returning insight_id
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from opened)
    on conflict (org_id) do update set generation = g.generation + 1
)
select insight_id from opened
