-- $1 name text
-- The organization's id, created if it does not exist yet.
with created as (
    insert into organizations (name) values ($1)
    on conflict (name) do nothing
    returning org_id
)
select org_id from created
union all
select org_id from organizations where name = $1
limit 1
