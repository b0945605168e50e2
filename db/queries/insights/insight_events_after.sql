-- $1 org_id bigint, $2 after_xid bigint, $3 after_event_id bigint, $4 since timestamptz (null: from the oldest),
-- $5 limit integer
-- A page of events after the cursor, in (xid, event_id) order, only from transactions older than every
-- transaction still running: an event that commits later always sorts after this page.
select e.event_id, e.xid::text::bigint as xid, e.kind, e.at, e.state
from insight_events e
where e.org_id = $1
  and (e.xid, e.event_id) > ($2::text::xid8, $3::bigint)
  and e.xid < pg_snapshot_xmin(pg_current_snapshot())
  and ($4::timestamptz is null or e.at >= $4)
order by e.xid, e.event_id
limit $5
