"""The store: PostgreSQL schema, migrations, queries and the embedded server."""
