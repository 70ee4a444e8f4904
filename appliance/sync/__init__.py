"""Cloud sync: a store-and-forward uploader from the outbox (store/outbox.py) to the school's own storage
(S3-compatible, WebDAV or a signed webhook). A service layer: it may import store/, classroom/ and config,
never http/."""
