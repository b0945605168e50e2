-- $1 org_id bigint, $2 insight_ids bigint[], $3 kinds text[]
-- One event per state change, carrying the insight's full state as it now is.
insert into insight_events (org_id, insight_id, kind, state)
select $1, e.insight_id, e.kind, s.state
from unnest($2::bigint[], $3::text[]) with ordinality as e (insight_id, kind, position)
join insight_states s on s.org_id = $1 and s.insight_id = e.insight_id
order by e.position
