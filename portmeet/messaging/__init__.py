"""Messages from a meeting's hosts to a group of its delegates: preview, send through the outbox, log."""
