"""Keys and signatures: Ed25519 (ids, files, signatures) and BLS12-381 checks."""
