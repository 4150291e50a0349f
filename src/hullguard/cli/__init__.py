"""Command-line interface: thin wrappers that parse input, call the library and render."""
