"""自動交付機 (the automatic issuing machine in the city office, 5.2.4 in use): the log of every request."""
