"""Catalogers: one per package ecosystem, each declaring the paths it wants (sans-I/O)."""
