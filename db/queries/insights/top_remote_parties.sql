-- $1 org_id bigint, $2 days_from date, $3 days_to date (exclusive): UTC days of the remote-party rollup,
-- $4 directions text[], $5 connector_ids bigint[], $6 buckets text[]: one key per firing rule (its connector and
-- the TLS bucket it counts), $7 top integer
-- Who is behind each firing rule: for every key (by its position), the `top` remote domains (kind 'domain': the
-- sender's inbound, the recipient's outbound) and server registrable domains (kind 'server') with the most
-- messages in the key's bucket over the days, and their volume; ties by name; '' is a domain not known. One
-- statement for all the rules an evaluation finds firing.
with keys as (
    select *
    from unnest($4::text[], $5::bigint[], $6::text[]) with ordinality as k (direction, connector_id, bucket, position)
),
counted as (
    select k.position, r.domain, r.server_domain, r.messages as volume,
           case k.bucket when 'none' then r.no_tls when 'TLS1.0' then r.tls10 when 'TLS1.1' then r.tls11
                         when 'TLS1.2' then r.tls12 when 'TLS1.3' then r.tls13 when 'unknown' then r.unknown end
               as messages
    from keys k
    join remote_daily_rollups r on r.org_id = $1 and r.direction = k.direction and r.day >= $2 and r.day < $3
                               and r.connector_id = k.connector_id
),
parties as (
    select position, 'domain' as kind, domain as name, sum(messages)::bigint as messages, sum(volume)::bigint as volume
    from counted
    group by position, domain
    union all
    select position, 'server', server_domain, sum(messages)::bigint, sum(volume)::bigint
    from counted
    group by position, server_domain
),
ranked as (
    select p.*, row_number() over (partition by p.position, p.kind order by p.messages desc, p.name) as rank
    from parties p
    where p.messages > 0
)
select position, kind, name, messages, volume
from ranked
where rank <= $7
order by position, kind, rank
