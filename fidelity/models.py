"""Models of the fidelity domain."""
