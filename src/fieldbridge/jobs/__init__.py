"""Jobs: the queue from receivers to workers, the worker that processes one event, retries, the sweeper."""
