"""The organisers' dashboard of a meeting: figures and server-drawn charts."""
