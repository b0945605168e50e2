-- $1 org_id bigint, $2 from timestamptz, $3 to timestamptz, $4 key_directions text[] (null: every connector),
-- $5 key_connector_ids bigint[], $6 rules text[], $7 rule_directions text[], $8 rule_connector_types text[],
-- $9 rule_buckets text[], $10 thresholds numeric[], $11 above boolean[], $12 min_messages bigint[],
-- $13 forced_only boolean[]
-- The rules that fire over the window, per connector (0: the internet without a connector): the
-- connector's volume, the messages in the rule's bucket, and their share.
with traffic as (
    select r.direction, r.connector_id, sum(r.messages)::bigint as volume, sum(r.no_tls)::bigint as no_tls,
           sum(r.tls10)::bigint as tls10, sum(r.tls11)::bigint as tls11
    from hourly_rollups r
    where r.org_id = $1 and r.hour >= $2 and r.hour < $3
      and ($4::text[] is null
           or (r.direction, r.connector_id) in (select * from unnest($4::text[], $5::bigint[])))
    group by r.direction, r.connector_id
),
paths as (
    select c.direction, c.connector_id, c.type, c.forced_tls
    from connectors c
    where c.org_id = $1
    union all
    select d, 0::bigint, 'internet', false
    from unnest(array['inbound', 'outbound']) as d
),
rules as (
    select *
    from unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::numeric[], $11::boolean[], $12::bigint[],
                $13::boolean[])
         as x (rule, direction, connector_type, bucket, threshold, above, min_messages, forced_only)
),
measured as (
    select ru.rule, t.direction, t.connector_id, t.volume, ru.threshold, ru.above, ru.min_messages,
           case ru.bucket when 'none' then t.no_tls when 'TLS1.0' then t.tls10 when 'TLS1.1' then t.tls11 end
               as messages
    from traffic t
    join paths p on p.direction = t.direction and p.connector_id = t.connector_id
    join rules ru on (ru.direction is null or ru.direction = p.direction)
                 and (ru.connector_type is null or ru.connector_type = p.type)
                 and (not ru.forced_only or p.forced_tls)
    where t.volume > 0
)
select m.rule, m.direction, m.connector_id, m.volume, m.messages
from measured m
where m.messages >= m.min_messages
  and case when m.above then 100.0 * m.messages / m.volume > m.threshold
           else 100.0 * m.messages / m.volume >= m.threshold end
