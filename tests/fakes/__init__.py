"""Fakes of external systems that tests drive over real protocols on loopback."""
