-- Reports grouped by day in a time zone read whole UTC days from the daily rollups: each UTC day counts
-- on the zone day of its noon. The hours of those UTC days that fall on another zone day are then moved
-- there from the hourly rollups (added to their own zone day, taken off their UTC day's). This function
-- names them: for a zone whose days are UTC days, none; else a few hours at one end of each day (five
-- for New York in winter), with daylight saving time changes followed hour by hour.
create function zone_day_moves(days_from timestamptz, days_to timestamptz, zone text)
returns table (hour timestamptz, day date, counted date)
language sql stable parallel safe
as $$
    select h, (h at time zone zone)::date, u.counted
    from (
        select g as starts, ((g + interval '12 hours') at time zone zone)::date as counted
        from generate_series(days_from, days_to - interval '24 hours', interval '24 hours') as g
    ) u
    cross join lateral generate_series(u.starts, u.starts + interval '23 hours', interval '1 hour') as h
    where ((u.starts at time zone zone)::date <> u.counted
           or ((u.starts + interval '23 hours') at time zone zone)::date <> u.counted)
      and (h at time zone zone)::date <> u.counted
$$;

grant execute on function zone_day_moves(timestamptz, timestamptz, text) to mailflow_app;
