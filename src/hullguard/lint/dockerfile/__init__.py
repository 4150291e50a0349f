"""Dockerfile linting: parser, rules, .dockerignore matching, fixes."""
