"""The runner and what runs instances: start, claim, complete and retry as one transaction each, the
worker, history pruning, the inbox and instance queries, operator actions."""
