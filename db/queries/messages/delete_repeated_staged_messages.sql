-- (no parameters)
-- The first step of the exact way (db/messages.py): of a record staged twice in the session's message_staging
-- table (the same direction, message id and time), keeps the first given. A statement on the session's own
-- table alone (Citus refuses ctid in a statement that also writes a distributed table).
delete from message_staging later
using message_staging earlier
where earlier.direction = later.direction
  and earlier.message_id = later.message_id
  and earlier.received_at = later.received_at
  and earlier.ctid < later.ctid
