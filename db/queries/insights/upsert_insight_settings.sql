-- $1 org_id bigint, $2 rules text[], $3 thresholds numeric[], $4 min_messages bigint[], $5 enabled boolean[],
-- $6 window_days integer (null: unchanged)
-- Stores overrides; a null keeps what was stored (or the default). The window is the '*' row.
with changed as (
    insert into insight_settings as s (org_id, rule, threshold, min_messages, enabled, window_days)
    select $1::bigint, u.rule, u.threshold, u.min_messages, u.enabled, null::integer
    from unnest($2::text[], $3::numeric[], $4::bigint[], $5::boolean[]) as u (rule, threshold, min_messages, enabled)
    union all
    select $1::bigint, '*', null, null, null, $6::integer
    where $6::integer is not null
    on conflict (org_id, rule) do update set
        threshold = coalesce(excluded.threshold, s.threshold),
        min_messages = coalesce(excluded.min_messages, s.min_messages),
        enabled = coalesce(excluded.enabled, s.enabled),
        window_days = coalesce(excluded.window_days, s.window_days)
    returning 1
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from changed)
    on conflict (org_id) do update set generation = g.generation + 1
)
select count(*) from changed
