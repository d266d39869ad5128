"""Shared test helpers (loopback HTTP server, object factories)."""
