"""Registration questions a host adds to a meeting's form, and the delegates' answers."""
