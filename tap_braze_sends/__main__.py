"""``python -m tap_braze_sends`` runs the tap."""

from tap_braze_sends.tap import TapBrazeSends

TapBrazeSends.cli()
