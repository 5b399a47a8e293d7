"""Field-visit roll call at the quay: boarding and back ashore, phone first and offline."""
