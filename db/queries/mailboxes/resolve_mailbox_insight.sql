-- $1 org_id bigint, $2 subject text
-- Closes the open mailbox_failing insight of a mailbox (a poll went well, or it was removed); returns its id.
with closed as (
    update insights
    set status = case when status = 'active' then 'resolved' else status end, resolved_at = now(),
        last_detected_at = now()
    where org_id = $1 and rule = 'mailbox_failing' and direction = 'inbound' and connector_id = 0 and subject = $2
      and resolved_at is null
    returning insight_id
),
bump as (
    -- the organization's data generation, in this statement (db/migrations/0015)
    insert into org_generations as g (org_id, generation)
    select $1, 1 where exists (select from closed)
    on conflict (org_id) do update set generation = g.generation + 1
)
select insight_id from closed
