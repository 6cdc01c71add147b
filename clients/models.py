"""Models of the clients domain."""
