"""Adoption: the whole registry in from another vendor's files, and out again (issue 17, docs/exchange/)."""
