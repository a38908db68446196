"""除票の保存期間: closed records are kept for the retention period after closure, then purged by a logged batch."""
