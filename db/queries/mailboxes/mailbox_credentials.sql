-- $1 org_id bigint, $2 mailbox_id bigint
-- What a poll needs, the encrypted password with it.
select mailbox_id, host, port, security, username, password, folder, processed, processed_folder, error_folder
from mailboxes
where org_id = $1 and mailbox_id = $2
