"""The refusal a registration rule answers with (shared by the registration and companion rules)."""


class RegistrationError(ValueError):
    """A rule refused the change; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class AlreadyRegistered(RegistrationError):
    """The e-mail address has a live registration for this meeting already."""
