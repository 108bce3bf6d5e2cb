"""What members hear about the catalog: the digest of approved entries and personal follows."""
