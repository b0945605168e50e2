-- $1 cutoff timestamptz
select drop_message_partitions_before($1)
