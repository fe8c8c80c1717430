"""A bench-only app: the floor of an HTTP insert (one row, no logic) and the generated-data marker.

Installed only by ``bench.settings``; the product never loads it.
"""
