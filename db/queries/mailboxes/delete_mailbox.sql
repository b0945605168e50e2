-- $1 org_id bigint, $2 mailbox_id bigint
delete from mailboxes where org_id = $1 and mailbox_id = $2
returning mailbox_id
