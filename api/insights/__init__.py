"""Insights: rules over the hourly rollups, their lifecycle, and their events."""
