-- $1 org_id bigint, $2 after_xid bigint, $3 after_event_id bigint
-- Whether an event after the cursor has committed that the last page did not give: held back then (a page
-- gives an event once every older transaction has ended, insight_events_after) or committed since. Either
-- way a subscriber reads again soon rather than at the next change (no other condition: the older
-- transaction may have ended between the page and this statement).
select exists (
    select from insight_events e
    where e.org_id = $1
      and (e.xid, e.event_id) > ($2::text::xid8, $3::bigint)
)
