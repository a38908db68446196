"""コンビニ交付 (job 11): the log of every request from the J-LIS 証明書交付センター and its answer."""
