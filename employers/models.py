"""Models of the employers domain."""
