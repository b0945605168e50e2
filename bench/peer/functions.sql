-- The peer's view of the same rollups: STABLE SQL functions that PostGraphile exposes as query fields,
-- answering what mailflow's dashboard views answer (the last 7 days ending with the current hour, UTC).
create schema if not exists mailflow_peer;

create or replace function mailflow_peer.window_end() returns timestamptz
language sql stable as $$ select date_trunc('hour', now()) + interval '1 hour' $$;

create or replace function mailflow_peer.summary(org bigint)
returns table (direction text, total bigint, no_tls bigint, tls10 bigint, tls11 bigint, tls12 bigint, tls13 bigint,
               unknown bigint)
language sql stable as $$
    select r.direction, sum(r.messages)::bigint, sum(r.no_tls)::bigint, sum(r.tls10)::bigint, sum(r.tls11)::bigint,
           sum(r.tls12)::bigint, sum(r.tls13)::bigint, sum(r.unknown)::bigint
    from public.hourly_rollups r
    where r.org_id = org and r.hour >= mailflow_peer.window_end() - interval '7 days'
      and r.hour < mailflow_peer.window_end()
    group by r.direction
    order by r.direction
$$;

create or replace function mailflow_peer.tls_breakdown(org bigint, dir text)
returns table (day date, total bigint, no_tls bigint, tls10 bigint, tls11 bigint, tls12 bigint, tls13 bigint,
               unknown bigint)
language sql stable as $$
    with days as (
        select d::date as day
        from generate_series((mailflow_peer.window_end() - interval '7 days')::date,
                             (mailflow_peer.window_end() - interval '1 microsecond')::date, interval '1 day') d
    ),
    daily as (
        select (r.hour at time zone 'UTC')::date as day, sum(r.messages)::bigint as total,
               sum(r.no_tls)::bigint as no_tls, sum(r.tls10)::bigint as tls10, sum(r.tls11)::bigint as tls11,
               sum(r.tls12)::bigint as tls12, sum(r.tls13)::bigint as tls13, sum(r.unknown)::bigint as unknown
        from public.hourly_rollups r
        where r.org_id = org and r.direction = dir
          and r.hour >= mailflow_peer.window_end() - interval '7 days' and r.hour < mailflow_peer.window_end()
        group by 1
    )
    select d.day, coalesce(t.total, 0), coalesce(t.no_tls, 0), coalesce(t.tls10, 0), coalesce(t.tls11, 0),
           coalesce(t.tls12, 0), coalesce(t.tls13, 0), coalesce(t.unknown, 0)
    from days d left join daily t on t.day = d.day
    order by d.day
$$;

create or replace function mailflow_peer.connector_report(org bigint)
returns table (day date, direction text, connector_id bigint, name text, type text, volume bigint, no_tls bigint,
               tls10 bigint, tls11 bigint, tls12 bigint, tls13 bigint, unknown bigint)
language sql stable as $$
    select (r.hour at time zone 'UTC')::date, r.direction, r.connector_id,
           coalesce(c.name, case r.direction when 'inbound' then 'From the internet without a connector'
                                             else 'To the internet without a connector' end),
           coalesce(c.type, 'internet'),
           sum(r.messages)::bigint, sum(r.no_tls)::bigint, sum(r.tls10)::bigint, sum(r.tls11)::bigint,
           sum(r.tls12)::bigint, sum(r.tls13)::bigint, sum(r.unknown)::bigint
    from public.hourly_rollups r
    left join public.connectors c on c.org_id = r.org_id and c.connector_id = r.connector_id
    where r.org_id = org and r.hour >= mailflow_peer.window_end() - interval '7 days'
      and r.hour < mailflow_peer.window_end()
    group by 1, 2, 3, 4, 5
    order by 1, 2, 4
$$;

create or replace function mailflow_peer.active_insights(org bigint)
returns table (id bigint, rule text, title text, description text, recommended_action text, share numeric,
               messages bigint, connector_id bigint, direction text)
language sql stable as $$
    select i.insight_id, i.rule, i.title, i.description, i.recommended_action, i.share, i.messages,
           i.connector_id, i.direction
    from public.insights i
    where i.org_id = org and i.status = 'active'
    order by i.insight_id desc
$$;
