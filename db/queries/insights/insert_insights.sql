-- $1 org_id bigint, $2 rules text[], $3 directions text[], $4 connector_ids bigint[], $5 titles text[],
-- $6 descriptions text[], $7 actions text[], $8 severities integer[], $9 shares numeric[],
-- $10 messages bigint[], $11 volumes bigint[], $12 thresholds numeric[], $13 window_from timestamptz,
-- $14 window_to timestamptz, $15 now timestamptz, $16 subjects text[], $17 remote_domains text[] and
-- $18 remote_servers text[] (each a JSON array: the top remote parties behind the condition)
-- New active insights; returns their ids in input order.
with added as (
    insert into insights (
        org_id, rule, direction, connector_id, subject, status, title, description, recommended_action, severity,
        share, messages, volume, threshold, window_from, window_to, first_detected_at, last_detected_at, remote_domains,
        remote_servers
    )
    select $1, n.rule, n.direction, n.connector_id, n.subject, 'active', n.title, n.description, n.action, n.severity,
           n.share, n.messages, n.volume, n.threshold, $13, $14, $15, $15, n.remote_domains::jsonb, n.remote_servers::jsonb
    from unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::integer[],
                $9::numeric[], $10::bigint[], $11::bigint[], $12::numeric[], $16::text[], $17::text[], $18::text[])
         with ordinality
         as n (rule, direction, connector_id, title, description, action, severity, share, messages, volume,
               threshold, subject, remote_domains, remote_servers, position)
    order by n.position
    returning insight_id
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from added)
    on conflict (org_id) do update set generation = g.generation + 1
)
select insight_id from added
