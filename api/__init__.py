"""mailflow: how well an organization's mail is protected in transit."""

__version__ = "0.1.0"
