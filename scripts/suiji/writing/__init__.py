"""Writing steps: the only callers of the appending module besides the CLI."""
