"""Settings: base.py holds everything, the other modules adjust it per environment."""
