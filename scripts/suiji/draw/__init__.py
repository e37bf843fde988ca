"""The draw engine: pure functions from committed values to targets, items and teams."""
