-- $1 org_id bigint
-- The feed's end now: the cursor (seq, event_id) of the organization's last event (numbers follow commit order,
-- db/migrations/0016, so every event after it is new); no row when there is none. A reader that starts from it
-- gets only what happens from now on.
select e.seq, e.event_id
from insight_events e
where e.org_id = $1
order by e.seq desc, e.event_id desc
limit 1
