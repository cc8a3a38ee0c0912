"""Test support: real servers on loopback (SeaweedFS S3, a page server) and paths."""
