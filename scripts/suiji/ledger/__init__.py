"""The ledger: codec, objects, the pure state machine, reading, task history, and the one appending module."""
