"""Integration tests: the synthesised infrastructure template (see tests/README.md)."""
