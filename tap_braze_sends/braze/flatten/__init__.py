"""Pure flatteners: one Braze response body (or one day of it) -> the rows of each stream."""
