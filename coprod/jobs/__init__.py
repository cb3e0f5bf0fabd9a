"""Job functions run by the scheduler process: each takes a session and `now` and sweeps the
database for what is due, so running one twice does no harm."""
