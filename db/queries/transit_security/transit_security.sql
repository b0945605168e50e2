-- $1 org_id bigint, $2 days_from date, $3 days_to date (exclusive): whole UTC days, $4 from timestamptz,
-- $5 to timestamptz: the window for the blocked deliveries (read from the messages), $6 top integer
-- Outbound transit security in one statement, three answers as JSON:
-- `days`: every UTC day (zeros included) with the deliveries sent per security level and the blocked ones;
-- `blocked`: the deliveries refused or deferred because TLS was required, per recipient domain and reason, most
-- first (at most `top`); `without_tls`: the recipient domains not supporting TLS, every delivery to them over the
-- days without TLS, most first (at most `top`; a domain not known is left out).
select
    (select coalesce(jsonb_agg(jsonb_build_object(
                'day', d.day, 'dane', d.dane, 'mta_sts', d.mta_sts, 'verified', d.verified,
                'opportunistic', d.opportunistic, 'none', d.no_tls, 'unknown', d.unknown, 'blocked', d.blocked)
                order by d.day), '[]')
     from (
         select g.day::date as day, coalesce(sum(t.dane), 0) as dane, coalesce(sum(t.mta_sts), 0) as mta_sts,
                coalesce(sum(t.verified), 0) as verified, coalesce(sum(t.opportunistic), 0) as opportunistic,
                coalesce(sum(t.no_tls), 0) as no_tls, coalesce(sum(t.unknown), 0) as unknown,
                coalesce(sum(t.blocked), 0) as blocked
         from generate_series($2::date, $3::date - 1, interval '1 day') as g (day)
         left join transit_daily_rollups t on t.org_id = $1 and t.day = g.day::date
         group by g.day
     ) d) as days,
    (select coalesce(jsonb_agg(jsonb_build_object(
                'recipient_domain', nullif(b.domain, ''), 'reason', b.reason, 'deliveries', b.deliveries,
                'first_seen', b.first_seen, 'last_seen', b.last_seen)
                order by b.deliveries desc, b.domain, b.reason), '[]')
     from (
         select coalesce(m.recipient_domain, '') as domain, m.blocked_reason as reason, count(*) as deliveries,
                min(m.received_at) as first_seen, max(m.received_at) as last_seen
         from messages m
         where m.org_id = $1 and m.direction = 'outbound' and m.received_at >= $4 and m.received_at < $5
           and m.blocked_reason is not null
         group by 1, 2
         order by 3 desc, 1, 2
         limit $6
     ) b) as blocked,
    (select coalesce(jsonb_agg(jsonb_build_object(
                'domain', w.domain, 'deliveries', w.deliveries, 'first_day', w.first_day, 'last_day', w.last_day)
                order by w.deliveries desc, w.domain), '[]')
     from (
         select r.domain, sum(r.messages) as deliveries, min(r.day) as first_day, max(r.day) as last_day
         from remote_daily_rollups r
         where r.org_id = $1 and r.direction = 'outbound' and r.day >= $2 and r.day < $3 and r.domain <> ''
         group by r.domain
         having sum(r.no_tls) = sum(r.messages)
         order by 2 desc, 1
         limit $6
     ) w) as without_tls
