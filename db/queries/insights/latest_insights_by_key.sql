-- $1 org_id bigint, $2 key_directions text[] (null: every connector), $3 key_connector_ids bigint[],
-- $4 rules text[] (the rules this evaluation decides)
-- The newest insight of every (rule, direction, connector, subject) in scope: open, or the last closed one.
select distinct on (i.rule, i.direction, i.connector_id, i.subject)
       i.insight_id, i.rule, i.direction, i.connector_id, i.subject, i.status, i.resolved_at, i.share, i.messages,
       i.volume, i.first_detected_at
from insights i
where i.org_id = $1 and i.rule = any($4::text[])
  and ($2::text[] is null or (i.direction, i.connector_id) in (select * from unnest($2::text[], $3::bigint[])))
order by i.rule, i.direction, i.connector_id, i.subject, i.insight_id desc
