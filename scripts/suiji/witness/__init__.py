"""A C2SP tlog-witness: cosigns a log's checkpoints with its own key and time, never two
inconsistent ones (docs/spec/19-witnesses.md)."""
