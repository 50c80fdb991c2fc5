"""Write operations: each validates, saves inside a transaction and leaves the
search index to be updated after commit."""
