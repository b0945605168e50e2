-- $1 org_id bigint, $2 rule text, $3 direction text, $4 subjects text[], $5 now timestamptz
-- Closes the open system insights (open_system_insights) of these subjects: the condition ended, or its subject
-- was removed. Returns their ids.
with closed as (
    update insights
    set status = case when status = 'active' then 'resolved' else status end, resolved_at = $5,
        last_detected_at = $5
    where org_id = $1 and rule = $2 and direction = $3 and connector_id = 0 and subject = any($4::text[])
      and resolved_at is null
    returning insight_id
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from closed)
    on conflict (org_id) do update set generation = g.generation + 1
)
select insight_id from closed order by insight_id
