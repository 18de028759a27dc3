"""A simulated contact center (simpy) that drives the real ACD."""
