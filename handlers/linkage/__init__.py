"""住民記録連動: the resident-event intake, the triage of each event and the worker's processing that has the
engine start 4.2.2 / 4.3.2."""
