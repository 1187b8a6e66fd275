"""Real clients of outside systems (public security, banks), each behind its capability's port."""
