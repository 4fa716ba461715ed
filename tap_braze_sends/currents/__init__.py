"""Braze Currents: the Avro files Braze writes to the customer's bucket (issue 26).

Pure parts, each a module of its own: an object's path in Braze's layout (paths.py), Avro
schemas as JSON schemas (schema.py), records as the streams emit them (records.py), the
per-event-type state (state.py); and the one part that talks to a store, the listing of a
prefix through fsspec (listing.py).
"""
