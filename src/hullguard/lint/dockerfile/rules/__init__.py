"""Dockerfile rules, one module per theme; ``ruleset.py`` registers them all."""
