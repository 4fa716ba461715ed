"""JSON schemas of every stream, and the metric catalogue they are built from."""
