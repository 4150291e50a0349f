"""Renderers for lint results: table, JSON, SARIF 2.1.0."""
