"""What an auditor relies on: audit events, hash chains and their check, daily anchors, the access log,
tombstones, instance search and reports, backups."""
