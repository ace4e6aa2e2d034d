"""Trained classifier artifacts (written by `indicators train`; see README.md here)."""
