-- $1 org_id bigint, $2 rule text, $3 direction text, $4 severity integer, $5 subjects text[], $6 titles text[],
-- $7 descriptions text[], $8 actions text[], $9 now timestamptz
-- Insights about the system rather than the mail (no connector: connector 0), opened by the code that sees the
-- condition: a mailbox that cannot be polled (mailbox_failing), a webhook disabled (webhook_disabled), a domain
-- whose TLS reports stopped (tlsrpt_silent). One per subject; returns the ids of those opened (a subject with one
-- open already gets none).
with opened as (
    insert into insights (
        org_id, rule, direction, connector_id, subject, status, title, description, recommended_action, severity,
        share, messages, volume, threshold, window_from, window_to, first_detected_at, last_detected_at
    )
    select $1, $2, $3, 0, o.subject, 'active', o.title, o.description, o.action, $4, 0, 0, 0, 0, $9, $9, $9, $9
    from unnest($5::text[], $6::text[], $7::text[], $8::text[]) as o (subject, title, description, action)
    order by o.subject
    on conflict (org_id, rule, direction, connector_id, subject) where resolved_at is null do nothing
    returning insight_id
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from opened)
    on conflict (org_id) do update set generation = g.generation + 1
)
select insight_id from opened order by insight_id
