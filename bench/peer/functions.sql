-- The peer's view of the same rollups: STABLE SQL functions that PostGraphile exposes as query fields,
-- answering what mailflow's dashboard views answer (the last 7 days ending with the current hour, UTC).
create schema if not exists mailflow_peer;

create or replace function mailflow_peer.window_end() returns timestamptz
language sql stable as $$ select date_trunc('hour', now()) + interval '1 hour' $$;

-- The rollup rows of the window, as mailflow reads them: whole UTC days from the daily rollups, the hours
-- of the two partial days at its edges from the hourly rollups (day: the UTC day of each row).
create or replace function mailflow_peer.window_rows(org bigint)
returns table (day date, direction text, connector_id bigint, messages bigint, no_tls bigint, tls10 bigint,
               tls11 bigint, tls12 bigint, tls13 bigint, unknown bigint)
language sql stable as $$
    with w as (
        select mailflow_peer.window_end() - interval '7 days' as start, mailflow_peer.window_end() as stop
    ),
    d as (
        select w.start, w.stop, date_trunc('day', w.start, 'UTC') + interval '1 day' as first_day,
               date_trunc('day', w.stop, 'UTC') as last_day
        from w
    )
    select (r.hour at time zone 'UTC')::date, r.direction, r.connector_id, r.messages, r.no_tls, r.tls10, r.tls11,
           r.tls12, r.tls13, r.unknown
    from public.hourly_rollups r, d
    where r.org_id = org and ((r.hour >= d.start and r.hour < d.first_day) or (r.hour >= d.last_day and r.hour < d.stop))
    union all
    select y.day, y.direction, y.connector_id, y.messages, y.no_tls, y.tls10, y.tls11, y.tls12, y.tls13, y.unknown
    from public.daily_rollups y, d
    where y.org_id = org and y.day >= (d.first_day at time zone 'UTC')::date and y.day < (d.last_day at time zone 'UTC')::date
$$;

create or replace function mailflow_peer.summary(org bigint)
returns table (direction text, total bigint, no_tls bigint, tls10 bigint, tls11 bigint, tls12 bigint, tls13 bigint,
               unknown bigint)
language sql stable as $$
    select r.direction, sum(r.messages)::bigint, sum(r.no_tls)::bigint, sum(r.tls10)::bigint, sum(r.tls11)::bigint,
           sum(r.tls12)::bigint, sum(r.tls13)::bigint, sum(r.unknown)::bigint
    from mailflow_peer.window_rows(org) r
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
        select r.day, sum(r.messages)::bigint as total,
               sum(r.no_tls)::bigint as no_tls, sum(r.tls10)::bigint as tls10, sum(r.tls11)::bigint as tls11,
               sum(r.tls12)::bigint as tls12, sum(r.tls13)::bigint as tls13, sum(r.unknown)::bigint as unknown
        from mailflow_peer.window_rows(org) r
        where r.direction = dir
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
    select r.day, r.direction, r.connector_id,
           coalesce(c.name, case r.direction when 'inbound' then 'From the internet without a connector'
                                             else 'To the internet without a connector' end),
           coalesce(c.type, 'internet'),
           sum(r.messages)::bigint, sum(r.no_tls)::bigint, sum(r.tls10)::bigint, sum(r.tls11)::bigint,
           sum(r.tls12)::bigint, sum(r.tls13)::bigint, sum(r.unknown)::bigint
    from mailflow_peer.window_rows(org) r
    left join public.connectors c on c.org_id = org and c.connector_id = r.connector_id
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
