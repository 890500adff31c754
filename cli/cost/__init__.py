"""Offline monthly cost estimate of a synthesized stack, its recommendations and reports."""
