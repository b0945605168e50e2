"""Domain types shared by every layer: api (REST, GraphQL, CLI, importers) and db. Imports neither."""
