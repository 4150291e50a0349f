"""Lint family: Dockerfile (and later manifest) rules with ids, severities and fixes."""
