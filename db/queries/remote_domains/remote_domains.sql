-- $1 org_id bigint, $2 direction text, $3 by text ('party': the sender's or recipient's domain; 'server': the
-- server's registrable domain), $4 connector_id bigint (null: all; 0: the internet without a connector),
-- $5 days_from date, $6 days_to date (exclusive): whole UTC days, $7 bucket text (null: every domain; else only
-- those with messages in this TLS bucket), $8 sort text ('volume' or a TLS bucket), $9 limit integer,
-- $10 after_count bigint, $11 after_domain text (both null: the first page; else the rows after this one)
-- One row per remote domain over the days of the remote-party rollup: volume, messages per TLS bucket, the
-- first and last day seen; most first by the sort count, then by domain ('' is a domain not known). `total`
-- (on every row) counts the domains on every page. Always one row at least: with an empty page, one whose
-- other columns are null.
with domains as (
    select case $3 when 'server' then r.server_domain else r.domain end as domain,
           sum(r.messages)::bigint as messages, sum(r.no_tls)::bigint as no_tls, sum(r.tls10)::bigint as tls10,
           sum(r.tls11)::bigint as tls11, sum(r.tls12)::bigint as tls12, sum(r.tls13)::bigint as tls13,
           sum(r.unknown)::bigint as unknown, min(r.day) as first_day, max(r.day) as last_day
    from remote_daily_rollups r
    where r.org_id = $1 and r.direction = $2 and r.day >= $5 and r.day < $6
      and ($4::bigint is null or r.connector_id = $4)
    group by 1
),
counted as (
    select d.*,
           case $8 when 'volume' then d.messages when 'none' then d.no_tls when 'TLS1.0' then d.tls10
                   when 'TLS1.1' then d.tls11 when 'TLS1.2' then d.tls12 when 'TLS1.3' then d.tls13
                   when 'unknown' then d.unknown end as sort_count
    from domains d
    where $7::text is null
       or case $7 when 'none' then d.no_tls when 'TLS1.0' then d.tls10 when 'TLS1.1' then d.tls11
                  when 'TLS1.2' then d.tls12 when 'TLS1.3' then d.tls13 when 'unknown' then d.unknown end > 0
),
page as (
    select c.*
    from counted c
    where $10::bigint is null or c.sort_count < $10 or (c.sort_count = $10 and c.domain > $11::text)
    order by c.sort_count desc, c.domain
    limit $9
)
select (select count(*) from counted)::bigint as total, p.domain, p.messages, p.no_tls, p.tls10, p.tls11, p.tls12,
       p.tls13, p.unknown, p.first_day, p.last_day, p.sort_count
from (select) as one
left join page p on true
order by p.sort_count desc, p.domain
