-- $1 org_id bigint, $2 insight_id bigint
select s.state
from insight_states s
where s.org_id = $1 and s.insight_id = $2
