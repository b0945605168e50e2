-- $1 days date[]
select ensure_message_partitions($1::date[])
