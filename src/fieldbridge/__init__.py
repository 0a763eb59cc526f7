"""FieldBridge: keeps Autotask PSA tickets and Field Nation work orders in sync."""

__version__ = "0.1.0"
