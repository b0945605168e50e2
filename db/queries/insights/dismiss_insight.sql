-- $1 org_id bigint, $2 insight_id bigint, $3 reason text
-- Dismisses an active insight; returns nothing when it is not active.
with dismissed as (
    update insights
    set status = 'dismissed', dismissed_at = now(), dismiss_reason = $3
    where org_id = $1 and insight_id = $2 and status = 'active'
    returning insight_id
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from dismissed)
    on conflict (org_id) do update set generation = g.generation + 1
)
select insight_id from dismissed
