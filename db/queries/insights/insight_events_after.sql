-- $1 org_id bigint, $2 after_seq bigint, $3 after_event_id bigint, $4 since timestamptz (null: from the oldest),
-- $5 limit integer
-- A page of events after the cursor, in the organization's event order (seq: numbers are handed out in commit
-- order, db/migrations/0016, so an event that commits later always sorts after this page).
select e.event_id, e.seq, e.kind, e.at, e.state
from insight_events e
where e.org_id = $1
  and (e.seq, e.event_id) > ($2::bigint, $3::bigint)
  and ($4::timestamptz is null or e.at >= $4)
order by e.seq, e.event_id
limit $5
