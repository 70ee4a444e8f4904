"""The I/O side of a lesson: the reading loop, the session engine and the bus that announces what it committed."""
