"""The orphan sweep: impression rows and blobs nothing uses (`inkan registry orphans`, /audit/orphans)."""
