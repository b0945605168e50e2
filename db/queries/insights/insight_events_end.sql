-- $1 org_id bigint
-- The feed's end now: the cursor (xid, event_id) of the last event a page would give, by the rule of
-- insight_events_after (only from transactions older than every one still running); no row when there is
-- none. A reader that starts from it gets only what happens from now on.
select e.xid::text::bigint as xid, e.event_id
from insight_events e
where e.org_id = $1
  and e.xid < pg_snapshot_xmin(pg_current_snapshot())
order by e.xid desc, e.event_id desc
limit 1
