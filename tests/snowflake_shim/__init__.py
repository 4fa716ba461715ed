"""An offline Snowflake for the load test: fakesnow's server on 127.0.0.1, and the little it
lacks for MeltanoLabs target-snowflake 0.20 (emulator.py). client/sitecustomize.py points the
target's Snowflake connector at it and refuses every connection off this machine.
"""
