"""Check-in desk: find delegates, mark their arrival, register walk-ins."""
