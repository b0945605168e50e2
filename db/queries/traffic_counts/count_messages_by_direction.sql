-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz, $4 days_from timestamptz, $5 days_to timestamptz
-- The snapshot: messages per direction, in total and per TLS bucket. The whole UTC days of the window
-- ([$4, $5)) come from the daily rollups, the hours outside them from the hourly rollups.
select x.direction,
       sum(x.messages)::bigint as messages, sum(x.no_tls)::bigint as no_tls, sum(x.tls10)::bigint as tls10,
       sum(x.tls11)::bigint as tls11, sum(x.tls12)::bigint as tls12, sum(x.tls13)::bigint as tls13,
       sum(x.unknown)::bigint as unknown
from (
    select r.direction, r.messages, r.no_tls, r.tls10, r.tls11, r.tls12, r.tls13, r.unknown
    from hourly_rollups r
    where r.org_id = $1 and ((r.hour >= $2 and r.hour < $4) or (r.hour >= $5 and r.hour < $3))
    union all
    select d.direction, d.messages, d.no_tls, d.tls10, d.tls11, d.tls12, d.tls13, d.unknown
    from daily_rollups d
    where d.org_id = $1 and d.day >= ($4 at time zone 'UTC')::date and d.day < ($5 at time zone 'UTC')::date
) x
group by x.direction
