"""Models of the outcomes domain."""
