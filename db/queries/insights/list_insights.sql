-- $1 org_id bigint, $2 statuses text[], $3 connector_id bigint (null: all), $4 direction text (null: all)
-- Insights as consumers see them, newest first. A dismissed insight whose condition cleared is closed
-- (resolved_at set) and listed with the dismissed ones.
select s.state
from insight_states s
where s.org_id = $1 and s.status = any($2::text[])
  and ($3::bigint is null or s.connector_id = $3)
  and ($4::text is null or s.direction = $4)
order by s.insight_id desc
limit 1000
