"""Services: what the API does, in terms of storage, checkpoints and graphs; no HTTP here."""
