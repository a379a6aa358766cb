"""Request models: the validated shape of every body and query the API accepts."""
