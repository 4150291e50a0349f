"""Orchestrators: walk an image once and feed catalogers, secret rules and matchers."""
