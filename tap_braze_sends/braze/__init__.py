"""What the tap knows about Braze: its endpoints, catalogues, flatteners and schemas (no I/O)."""
