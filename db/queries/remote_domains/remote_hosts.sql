-- $1 org_id bigint, $2 direction text, $3 from timestamptz, $4 to timestamptz, $5 connector_id bigint (null: all;
-- 0: the internet without a connector), $6 by text ('party' or 'server'), $7 domain text (null: every host; else
-- only the messages whose party domain or server domain, per $6, is this one; '' not known), $8 bucket text
-- (null: every host; else only those with messages in this TLS bucket), $9 sort text ('volume' or a TLS
-- bucket), $10 limit integer, $11 after_count bigint, $12 after_host text, $13 after_ip text (all null: the
-- first page; else the rows after this one)
-- One row per remote server (name as logged and address; '' not known) from the messages of the window:
-- volume, messages per TLS bucket, its registrable domain, first and last time seen; most first by the sort
-- count, then by name and address. `total` (on every row) counts the servers on every page. Always one row at
-- least: with an empty page, one whose other columns are null.
with hosts as (
    select coalesce(m.remote_host, '') as host, coalesce(host(m.remote_ip), '') as ip,
           min(coalesce(m.server_domain, '')) as server_domain, count(*)::bigint as messages,
           count(*) filter (where m.tls_bucket = 'none')::bigint as no_tls,
           count(*) filter (where m.tls_bucket = 'TLS1.0')::bigint as tls10,
           count(*) filter (where m.tls_bucket = 'TLS1.1')::bigint as tls11,
           count(*) filter (where m.tls_bucket = 'TLS1.2')::bigint as tls12,
           count(*) filter (where m.tls_bucket = 'TLS1.3')::bigint as tls13,
           count(*) filter (where m.tls_bucket = 'unknown')::bigint as unknown,
           min(m.received_at) as first_seen, max(m.received_at) as last_seen
    from messages m
    where m.org_id = $1 and m.direction = $2 and m.received_at >= $3 and m.received_at < $4
      and ($5::bigint is null or coalesce(m.connector_id, 0) = $5)
      and ($7::text is null
           or $7 = left(coalesce(case when $6 = 'server' then m.server_domain
                                      when $2 = 'inbound' then m.sender_domain
                                      else m.recipient_domain end, ''), 253))
    group by 1, 2
),
counted as (
    select h.*,
           case $9 when 'volume' then h.messages when 'none' then h.no_tls when 'TLS1.0' then h.tls10
                   when 'TLS1.1' then h.tls11 when 'TLS1.2' then h.tls12 when 'TLS1.3' then h.tls13
                   when 'unknown' then h.unknown end as sort_count
    from hosts h
    where $8::text is null
       or case $8 when 'none' then h.no_tls when 'TLS1.0' then h.tls10 when 'TLS1.1' then h.tls11
                  when 'TLS1.2' then h.tls12 when 'TLS1.3' then h.tls13 when 'unknown' then h.unknown end > 0
),
page as (
    select c.*
    from counted c
    where $11::bigint is null or c.sort_count < $11 or (c.sort_count = $11 and (c.host, c.ip) > ($12::text, $13::text))
    order by c.sort_count desc, c.host, c.ip
    limit $10
)
select (select count(*) from counted)::bigint as total, p.host, p.ip, p.server_domain, p.messages, p.no_tls, p.tls10,
       p.tls11, p.tls12, p.tls13, p.unknown, p.first_seen, p.last_seen, p.sort_count
from (select) as one
left join page p on true
order by p.sort_count desc, p.host, p.ip
