-- $1 org_id bigint, $2 mailbox_id bigint, $3 uidvalidity bigint, $4 uids bigint[]
-- Which of these messages were handled before, and how.
select uid, outcome
from mailbox_messages
where org_id = $1 and mailbox_id = $2 and uidvalidity = $3 and uid = any($4::bigint[])
