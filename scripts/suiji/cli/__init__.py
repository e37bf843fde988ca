"""The command line (private): parsing, clock, rendering, exit codes."""
