-- $1 org_id bigint, $2 after_xid bigint, $3 after_event_id bigint
-- Whether an event after the cursor has committed but is held back from pages (insight_events_after gives
-- it once every older transaction has ended): a subscriber then reads again soon, not at the next change.
select exists (
    select from insight_events e
    where e.org_id = $1
      and (e.xid, e.event_id) > ($2::text::xid8, $3::bigint)
      and e.xid >= pg_snapshot_xmin(pg_current_snapshot())
)
