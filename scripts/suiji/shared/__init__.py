"""Bottom layer: encodings, errors and findings every other layer shares."""
