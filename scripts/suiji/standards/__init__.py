"""Outside standards, implemented exactly: RFC 6962 Merkle trees, C2SP notes and checkpoints."""
