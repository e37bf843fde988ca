"""drand beacons: chain facts and round arithmetic, verification, sources, cache."""
