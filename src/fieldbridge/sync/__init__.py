"""The sync flows: pure decisions (what to write, what to skip) and the flows that fetch, decide and write.

`handlers.register` is the worker's handler module; docs/sync.md tells the whole story.
"""
