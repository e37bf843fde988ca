"""The fictional example county used by the demo and the tests."""
