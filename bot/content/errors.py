"""The one error a content file can raise."""


class ContentError(SystemExit):
    """A content file is invalid; the message names the file and the item."""
