-- $1 org_id bigint, $2 insight_ids bigint[], $3 statuses text[], $4 descriptions text[], $5 actions text[],
-- $6 shares numeric[], $7 messages bigint[], $8 volumes bigint[], $9 thresholds numeric[], $10 detected boolean[],
-- $11 resolve boolean[], $12 window_from timestamptz, $13 window_to timestamptz, $14 now timestamptz,
-- $15 remote_domains text[], $16 remote_servers text[] (JSON arrays; null keeps them)
-- Applies an evaluation to existing insights: new figures and status; `detected` moves last_detected_at
-- and the window; `resolve` closes the insight (resolved_at), whatever its status.
with changed as (
    update insights i set
        status = u.status,
        description = coalesce(u.description, i.description),
        recommended_action = coalesce(u.action, i.recommended_action),
        share = coalesce(u.share, i.share),
        messages = coalesce(u.messages, i.messages),
        volume = coalesce(u.volume, i.volume),
        threshold = coalesce(u.threshold, i.threshold),
        remote_domains = coalesce(u.remote_domains::jsonb, i.remote_domains),
        remote_servers = coalesce(u.remote_servers::jsonb, i.remote_servers),
        window_from = case when u.detected then $12 else i.window_from end,
        window_to = case when u.detected then $13 else i.window_to end,
        last_detected_at = case when u.detected then $14 else i.last_detected_at end,
        resolved_at = case when u.resolve then $14 when u.detected then null else i.resolved_at end
    from unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::bigint[], $8::bigint[],
                $9::numeric[], $10::boolean[], $11::boolean[], $15::text[], $16::text[])
         as u (insight_id, status, description, action, share, messages, volume, threshold, detected, resolve,
               remote_domains, remote_servers)
    where i.org_id = $1 and i.insight_id = u.insight_id
    returning i.insight_id
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from changed)
    on conflict (org_id) do update set generation = g.generation + 1
)
select count(*) from changed
