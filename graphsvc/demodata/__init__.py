"""Building blocks of the demo feed generator (`graphsvc.generate`).

`places` holds the geography, `world` the master data, `feed` the deterministic file
writers, `chains` the custody bookkeeping that every flow goes through, `baseline`
the lawful traffic and `plants` the planted cases and distributor rings.
"""
