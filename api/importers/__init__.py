"""Importers turn mail logs and reports into the message records every other source sends.

Each importer is a generator over (line number, text) pairs that yields (line number, record) pairs
and counts what it skipped, by reason, in a `Skipped` counter. Records then go through the one ingest
pipeline (api/feed.py): validation, connector attribution, storage and insights.
"""
