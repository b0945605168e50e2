-- $1 name text
-- Returns nothing when the name is taken.
insert into organizations (name) values ($1)
on conflict (name) do nothing
returning org_id
