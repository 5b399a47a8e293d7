"""gunicorn settings read from the working directory: access log lines never hold a private link's token."""
logger_class = "portmeet.logs.RedactingGunicornLogger"
